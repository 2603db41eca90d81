package dev.customs.e2e;

/** The YAML a developer would write, for {@code kubectl apply -f -}. */
final class Manifests {

    private Manifests() {
    }

    /** A pod; {@code runAsUser} null leaves the user to the image. */
    static String pod(String name, String image, Long runAsUser) {
        return """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: %s
                  labels:
                    app: %s
                spec:
                  %s
                  containers:
                    - name: app
                      image: %s
                """.formatted(name, name, securityContext(runAsUser), image);
    }

    /** A Deployment of {@code replicas} pods of one container. */
    static String deployment(String name, String image, Long runAsUser, int replicas) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %s
                spec:
                  replicas: %d
                  selector:
                    matchLabels:
                      app: %s
                  template:
                    metadata:
                      labels:
                        app: %s
                    spec:
                      %s
                      containers:
                        - name: app
                          image: %s
                """.formatted(name, replicas, name, name, securityContext(runAsUser), image);
    }

    private static String securityContext(Long runAsUser) {
        return runAsUser == null ? "securityContext: {}" : "securityContext: {runAsUser: " + runAsUser + "}";
    }
}
