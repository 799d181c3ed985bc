/**
 * Plumbing shared by Parley's packages and not part of its API (not exported).
 */
package dev.parley.internal;
