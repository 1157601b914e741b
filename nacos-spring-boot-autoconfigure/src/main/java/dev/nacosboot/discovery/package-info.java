/**
 * Nacos service discovery: a push-updated view of service instances behind
 * {@code DiscoveryClient} and {@code ReactiveDiscoveryClient}, and instance-change
 * events.
 */
@NullMarked
package dev.nacosboot.discovery;

import org.jspecify.annotations.NullMarked;
