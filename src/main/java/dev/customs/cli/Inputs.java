package dev.customs.cli;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * The files one run reads, from the paths on the command line: a file as it is, every manifest ({@code *.yaml},
 * {@code *.yml}, {@code *.json}) and every Dockerfile ({@link DockerfileInput#isDockerfile}) under a directory, sorted,
 * or {@code -} for standard input. A file is a Dockerfile by its name, or when {@code --dockerfile} names it. A path
 * that cannot be read, and a Helm chart (a directory with {@code Chart.yaml}, whose templates are not manifests until
 * rendered), is a {@link Problem}; the other paths are still read.
 */
final class Inputs {

    /** One file to read; {@code path} is null for standard input; {@code dockerfile} when it is read as one. */
    record Input(String name, Path path, boolean dockerfile) {
        static final Input STDIN = new Input("-", null, false);
        static final Input DOCKERFILE_STDIN = new Input("-", null, true);
    }

    /** The files to read, in order, and the paths that were not usable. */
    record Expanded(List<Input> inputs, List<Problem> problems) {
    }

    private Inputs() {
    }

    static Expanded expand(List<String> args) {
        return expand(args, List.of());
    }

    /**
     * @param args the paths on the command line
     * @param dockerfiles the files {@code --dockerfile} names, read as Dockerfiles whatever their names
     */
    static Expanded expand(List<String> args, List<String> dockerfiles) {
        List<Input> inputs = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        for (String arg : dockerfiles) {
            if (arg.equals("-")) {
                inputs.add(Input.DOCKERFILE_STDIN);
            } else if (!Files.exists(Path.of(arg))) {
                problems.add(Problem.of(arg, "no such file"));
            } else if (Files.isDirectory(Path.of(arg))) {
                problems.add(Problem.of(arg, "a directory; --dockerfile names one file (a directory is checked as a "
                        + "PATH)"));
            } else {
                inputs.add(new Input(arg, Path.of(arg), true));
            }
        }
        for (String arg : args) {
            if (arg.equals("-")) {
                inputs.add(Input.STDIN);
                continue;
            }
            Path path = Path.of(arg);
            if (!Files.exists(path)) {
                problems.add(Problem.of(arg, "no such file or directory"));
            } else if (!Files.isDirectory(path)) {
                inputs.add(new Input(arg, path, isDockerfile(path)));
            } else {
                walk(path, inputs, problems);
            }
        }
        return new Expanded(inputs, problems);
    }

    /** Whether a file found in a directory is read as manifests. */
    static boolean isManifest(Path file) {
        String n = file.getFileName().toString();
        return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
    }

    /** Whether a file is read as a Dockerfile by its name; a manifest's extension wins ({@code Dockerfile.yaml}). */
    static boolean isDockerfile(Path file) {
        return DockerfileInput.isDockerfile(file) && !isManifest(file);
    }

    private static void walk(Path root, List<Input> inputs, List<Problem> problems) {
        List<Path> found = new ArrayList<>();
        try {
            Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                            if (Files.isRegularFile(dir.resolve("Chart.yaml"))) {
                                problems.add(Problem.of(dir.toString(), "a Helm chart (it has Chart.yaml): its templates are "
                                        + "not manifests until helm renders them; check the rendered chart with: helm template "
                                        + "my-release " + dir + " | customs check -"));
                                return FileVisitResult.SKIP_SUBTREE;
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            // a link to nothing is listed too, so reading it reports it rather than passing over it
                            if ((attrs.isRegularFile() || attrs.isSymbolicLink())
                                    && (isManifest(file) || isDockerfile(file))) {
                                found.add(file);
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            problems.add(Problem.of(file.toString(), "cannot be read: " + reason(e)));
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            problems.add(Problem.of(root.toString(), "cannot be read: " + reason(e)));
        }
        found.stream().sorted().forEach(f -> inputs.add(new Input(f.toString(), f, isDockerfile(f))));
    }

    /** An I/O error in words: "permission denied", not the exception's class and path. */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemLoopException) {
            return "a link that loops back to a directory above it";
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason().toLowerCase(java.util.Locale.ROOT);
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
