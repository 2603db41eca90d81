package dev.customs.dockerfile;

/**
 * A parser directive at the top of a Dockerfile, {@code # syntax=docker/dockerfile:1} or {@code # escape=`}.
 *
 * @param name the directive's name, lowercase
 * @param value its value, trimmed
 * @param position where its line starts
 */
public record Directive(String name, String value, Position position) {
}
