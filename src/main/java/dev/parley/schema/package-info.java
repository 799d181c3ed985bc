/**
 * Java types as JSON Schemas, and JSON values as Java objects: the typed side of structured
 * answers and tool arguments.
 *
 * <p>{@link dev.parley.schema.JsonSchema#of(java.lang.reflect.Type)} writes the schema of a
 * record (with enums, strings, numbers, booleans, {@code List}, {@code Map<String, T>},
 * {@code Optional}, nested records and sealed interfaces of records) in the form OpenAI's strict
 * mode accepts, and {@link dev.parley.schema.JsonBinder} builds the Java value back from a JSON
 * answer, failing with a {@link dev.parley.schema.JsonBindException} that names the field and the
 * reason. {@link dev.parley.schema.Description} adds the descriptions the model reads.
 */
package dev.parley.schema;
