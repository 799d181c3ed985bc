package dev.parley.tools;

/**
 * A tool as a Java function of a record: the loop builds the record from the model's arguments
 * (with {@link dev.parley.schema.JsonBinder}) and shows the model the result, as it is for a
 * {@code String}, or written as JSON for a record, list, map, number or boolean
 * ({@link dev.parley.schema.JsonBinder#toJson}).
 *
 * @param <A> the record the arguments are bound to
 * @param <R> the result type
 */
@FunctionalInterface
public interface TypedToolHandler<A, R> {

    /**
     * Runs the tool.
     *
     * @param arguments the model's arguments, bound to the record
     * @return the result
     * @throws Exception if the tool fails
     */
    R run(A arguments) throws Exception;
}
