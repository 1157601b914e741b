/**
 * Test support for applications on the starter: the embedded Nacos test server (or the
 * external Nacos of {@code NACOS_SERVER_ADDR}) as the starter's
 * {@code NacosConnectionDetails}, for {@code @SpringBootTest}, {@code SpringApplication}
 * and {@code ApplicationContextRunner}.
 */
@NullMarked
package dev.nacosboot.test;

import org.jspecify.annotations.NullMarked;
