/**
 * Test doubles for Parley users: {@link dev.parley.testing.ScriptedProvider}, a provider that
 * answers from a script and records requests.
 */
package dev.parley.testing;
