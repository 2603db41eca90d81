package dev.customs.image.registry;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.customs.report.Recorder;

/** Records image resolutions and registry requests, for assertions on metrics and on "never contacted". */
final class CountingRecorder implements Recorder {

    final List<String> resolutions = new CopyOnWriteArrayList<>();
    final List<String> registryRequests = new CopyOnWriteArrayList<>();

    @Override
    public void imageResolution(String result) {
        resolutions.add(result);
    }

    @Override
    public void registryRequest(String registry, Duration duration) {
        registryRequests.add(registry);
    }

    long resolutions(String result) {
        return resolutions.stream().filter(result::equals).count();
    }
}
