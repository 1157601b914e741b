/**
 * Nacos config as Spring {@code PropertySource}s through
 * {@code spring.config.import=nacos:...}, and the in-place, key-scoped hot reload of
 * those sources.
 */
@NullMarked
package dev.nacosboot.config;

import org.jspecify.annotations.NullMarked;
