package dev.customs.admission;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;

/**
 * {@code POST /validate}: the admission endpoint the kube-apiserver calls. Answers 200 with an AdmissionReview, 400
 * with a plain-text explanation for input that is not a usable AdmissionReview, and 500 (without a stack trace) only
 * for a fault of Customs itself, so the apiserver applies the webhook's failurePolicy.
 */
@Path("/validate")
public class AdmissionResource {

    private static final Logger LOG = Logger.getLogger(AdmissionResource.class);

    private final AdmissionHandler handler;

    public AdmissionResource(AdmissionHandler handler) {
        this.handler = handler;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> validate(byte[] body) {
        return Uni.createFrom().completionStage(() -> handler.review(body)).map(outcome -> {
            if (!outcome.ok()) {
                return Response.status(Response.Status.BAD_REQUEST).type(MediaType.TEXT_PLAIN_TYPE)
                        .entity(outcome.badRequest() + "\n").build();
            }
            return Response.ok(outcome.review(), MediaType.APPLICATION_JSON_TYPE).build();
        }).onFailure().recoverWithItem(e -> {
            LOG.errorf("admission review failed: %s", e.toString());
            LOG.debug("admission review failure", e);
            return Response.serverError().type(MediaType.TEXT_PLAIN_TYPE)
                    .entity("Customs could not evaluate the request: internal error\n").build();
        });
    }
}
