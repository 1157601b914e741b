/**
 * Nacos service discovery: push-updated views of service instances and of the service
 * list behind {@code DiscoveryClient} and {@code ReactiveDiscoveryClient}, the naming
 * client's connection state, and change events.
 */
@NullMarked
package dev.nacosboot.discovery;

import org.jspecify.annotations.NullMarked;
