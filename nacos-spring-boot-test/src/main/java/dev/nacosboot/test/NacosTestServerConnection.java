package dev.nacosboot.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.test.context.TestPropertySource;

/**
 * Runs a {@code @SpringBootTest} against an embedded Nacos test server of its own (or the
 * external Nacos of {@code NACOS_SERVER_ADDR}, with {@code NACOS_USERNAME} /
 * {@code NACOS_PASSWORD}), given to the application as its
 * {@code NacosConnectionDetails}: {@code spring.config.import=nacos:...}, discovery,
 * registration and the {@code ConfigService} bean all connect to it, and no
 * {@code spring.cloud.nacos.*} property is set.
 * <p>
 * The embedded server is the bean {@code nacosTestServer} and stops when the context
 * closes, so Spring's test context cache keeps one server per cached context. The clients
 * use the public namespace unless {@code nacos.test-server.namespace} is set as a test
 * property; {@code nacos.test-server.port} picks the server's port (a free one by
 * default). <pre class="code">
 * &#64;SpringBootTest
 * &#64;NacosTestServerConnection
 * class OrdersApplicationTests {
 *
 * 	&#64;Autowired
 * 	NacosTestServer nacosTestServer;
 * </pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@TestPropertySource(properties = NacosTestServerConnectionEnvironmentPostProcessor.ENABLED + "=true")
public @interface NacosTestServerConnection {

}
