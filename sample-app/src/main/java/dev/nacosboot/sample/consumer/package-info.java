/**
 * The {@code consumer} role: calls {@code greeting-service} through the gray-release load
 * balancer, shows config, rules, instances and the traffic split on the page, and
 * publishes changes to Nacos.
 */
@NullMarked
package dev.nacosboot.sample.consumer;

import org.jspecify.annotations.NullMarked;
