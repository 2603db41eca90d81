package dev.customs.reliability;

import dev.customs.policy.OnError;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The registry fault matrix under {@code customs.registry.on-error=deny}. */
@QuarkusTest
@TestProfile(FaultProfiles.Deny.class)
class RegistryFaultsDenyIT extends RegistryFaultMatrix {

    @Override
    OnError onError() {
        return OnError.DENY;
    }
}
