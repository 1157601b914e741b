package dev.nacosboot.testserver.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.test.context.TestPropertySource;

/**
 * Runs a {@code @SpringBootTest} against its own embedded Nacos test server (or the
 * external one named by {@code NACOS_SERVER_ADDR}): sets
 * {@code nacos.test-server.enabled=true}, which
 * {@link NacosTestServerEnvironmentPostProcessor} picks up before config data loads.
 * Inject the server with {@code @Autowired NacosTestServer nacosTestServer} (embedded
 * only).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@TestPropertySource(properties = NacosTestServerEnvironmentPostProcessor.ENABLED + "=true")
public @interface EnableNacosTestServer {

}
