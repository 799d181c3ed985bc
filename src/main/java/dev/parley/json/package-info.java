/**
 * A hand-written JSON codec (RFC 8259): a sealed {@link dev.parley.json.JsonValue} family in the
 * shape of the JDK's draft JSON API, a strict parser with limits ({@link dev.parley.json.JsonParser}),
 * and a compact writer ({@link dev.parley.json.Json#write}).
 */
package dev.parley.json;
