/**
 * Nacos service registration: {@code Registration}, {@code ServiceRegistry}, the
 * auto-registration lifecycle, IP selection and readiness gating.
 */
@NullMarked
package dev.nacosboot.registry;

import org.jspecify.annotations.NullMarked;
