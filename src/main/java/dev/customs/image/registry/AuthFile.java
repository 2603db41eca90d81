package dev.customs.image.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A docker {@code config.json} on disk ({@code customs.registry.auth-file}), usually a mounted Secret that the kubelet
 * updates in place: it is read again when its modification time changes, checked at most every few seconds. A missing
 * or malformed file means no credentials, with a warning that names the file but none of its contents. Blocking: call
 * it off the event loop.
 */
final class AuthFile {

    private static final Logger LOG = Logger.getLogger(AuthFile.class);
    private static final Duration RECHECK = Duration.ofSeconds(5);

    private record Snapshot(FileTime modified, long size, DockerAuths auths, Instant checked) {
    }

    private final Path path;
    private final ObjectMapper mapper;
    private final Clock clock;
    private volatile Snapshot snapshot;

    AuthFile(Path path, ObjectMapper mapper, Clock clock) {
        this.path = path;
        this.mapper = mapper;
        this.clock = clock;
    }

    Optional<Credentials> lookup(String host, String repository) {
        return current().lookup(host, repository);
    }

    synchronized DockerAuths current() {
        Instant now = clock.instant();
        Snapshot s = snapshot;
        if (s != null && now.isBefore(s.checked.plus(RECHECK))) {
            return s.auths;
        }
        FileTime modified;
        long size;
        try {
            modified = Files.getLastModifiedTime(path);
            size = Files.size(path);
        } catch (IOException e) {
            if (s == null || s.modified != null) {
                LOG.warnf("registry auth file %s cannot be read (%s); using no credentials from it", path,
                        e.getClass().getSimpleName());
            }
            snapshot = new Snapshot(null, -1, DockerAuths.EMPTY, now);
            return DockerAuths.EMPTY;
        }
        if (s != null && modified.equals(s.modified) && size == s.size) {
            snapshot = new Snapshot(modified, size, s.auths, now);
            return s.auths;
        }
        DockerAuths auths;
        try {
            auths = DockerAuths.parse(mapper.readTree(path.toFile()));
        } catch (IOException e) {
            LOG.warnf("registry auth file %s is not a docker config.json; using no credentials from it", path);
            auths = DockerAuths.EMPTY;
        }
        snapshot = new Snapshot(modified, size, auths, now);
        return auths;
    }
}
