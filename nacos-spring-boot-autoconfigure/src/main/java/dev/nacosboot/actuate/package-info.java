/**
 * Actuator support for Nacos: the {@code nacos} health contributor (discovery and config
 * connection), the {@code nacos} endpoint, Micrometer metrics, and the application's
 * health pushed into Nacos so that an instance that is not healthy receives no traffic.
 * Reads every sibling package; none of them knows this one.
 */
@NullMarked
package dev.nacosboot.actuate;

import org.jspecify.annotations.NullMarked;
