/**
 * The {@code provider} role: {@code greeting-service}, registered with its version in the
 * instance metadata.
 */
@NullMarked
package dev.nacosboot.sample.provider;

import org.jspecify.annotations.NullMarked;
