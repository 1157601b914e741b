/**
 * Shared Nacos connection settings, the per-context owner of the Nacos clients, and
 * failure analysis.
 */
@NullMarked
package dev.nacosboot.core;

import org.jspecify.annotations.NullMarked;
