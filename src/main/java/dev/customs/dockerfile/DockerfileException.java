package dev.customs.dockerfile;

/**
 * A Dockerfile that cannot be parsed or evaluated, with the place that is wrong. The message reads
 * {@code <file>:<line>:<column>: <what is wrong>}, as compilers print errors, so editors and CI logs link to it.
 */
public final class DockerfileException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String file;
    private final transient Position position;
    private final String problem;

    public DockerfileException(String file, Position position, String problem) {
        super(file + ":" + position + ": " + problem, null, false, false);
        this.file = file;
        this.position = position;
        this.problem = problem;
    }

    public String file() {
        return file;
    }

    public Position position() {
        return position;
    }

    /** What is wrong, without the place. */
    public String problem() {
        return problem;
    }
}
