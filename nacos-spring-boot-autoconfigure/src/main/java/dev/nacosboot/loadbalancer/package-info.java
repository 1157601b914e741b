/**
 * Gray-release load balancing on Spring Cloud LoadBalancer: a
 * {@code ServiceInstanceListSupplier} fed by the Nacos push, and a balancer that picks by
 * instance weight, cluster, version header and canary percentage from a routing table
 * precomputed per service, with rules that change live.
 */
@NullMarked
package dev.nacosboot.loadbalancer;

import org.jspecify.annotations.NullMarked;
