package dev.nacosboot.core;

import java.util.Set;

import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.remote.request.Request;
import com.alibaba.nacos.client.config.NacosConfigService;
import com.alibaba.nacos.client.config.impl.ClientWorker;
import com.alibaba.nacos.client.naming.NacosNamingService;
import com.alibaba.nacos.client.naming.remote.NamingClientProxyDelegate;
import com.alibaba.nacos.client.naming.remote.gprc.NamingGrpcClientProxy;
import org.junit.jupiter.api.Test;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.GeneratedFiles.Kind;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.javapoet.ClassName;
import org.springframework.test.context.support.TestPropertySourceUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter's auto-configurations survive Spring AOT processing, and the hints they
 * contribute cover what nacos-client loads and reflects on at run time.
 */
class NacosClientRuntimeHintsTests {

	private final RuntimeHints hints = new RuntimeHints();

	@Test
	void everyPayloadOfTheClientCanBeCreatedAndBoundByJackson() {
		new NacosClientRuntimeHints().registerHints(this.hints, getClass().getClassLoader());
		Set<String> payloads = NacosClientRuntimeHints
			.implementations(new ClassPathResource(NacosClientRuntimeHints.PAYLOAD_SERVICE_FILE));
		// More than the client's own reflect-config.json lists for this version.
		assertThat(payloads).hasSizeGreaterThan(44);
		for (String payload : payloads) {
			assertThat(RuntimeHintsPredicates.reflection().onType(TypeReference.of(payload))).as(payload)
				.accepts(this.hints);
		}
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Request.class, "getRequestId"))
			.accepts(this.hints);
	}

	@Test
	void serviceFilesAndTheVersionFileAreResources() {
		new NacosClientRuntimeHints().registerHints(this.hints, getClass().getClassLoader());
		assertThat(RuntimeHintsPredicates.resource().forResource(NacosClientRuntimeHints.PAYLOAD_SERVICE_FILE))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.resource()
			.forResource("META-INF/services/com.alibaba.nacos.common.ability.AbstractAbilityControlManager"))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.resource().forResource(NacosClientRuntimeHints.VERSION_FILE))
			.accepts(this.hints);
		assertThat(new ClassPathResource(NacosClientRuntimeHints.VERSION_FILE).exists()).isTrue();
	}

	@Test
	void theNamingInternalsTheStarterReadsExistInThisClientVersion() throws Exception {
		new NacosClientRuntimeHints().registerHints(this.hints, getClass().getClassLoader());
		assertThat(NacosNamingService.class.getName()).isEqualTo(NacosClientRuntimeHints.NAMING_SERVICE);
		assertThat(NamingClientProxyDelegate.class.getName()).isEqualTo(NacosClientRuntimeHints.NAMING_PROXY_DELEGATE);
		assertThat(NamingGrpcClientProxy.class.getName()).isEqualTo(NacosClientRuntimeHints.NAMING_GRPC_PROXY);
		assertThat(RuntimeHintsPredicates.reflection()
			.onFieldAccess(NacosNamingService.class.getDeclaredField("clientProxy"))).accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onFieldAccess(NamingClientProxyDelegate.class.getDeclaredField("grpcClientProxy"))).accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(NamingGrpcClientProxy.class, "serverHealthy"))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.proxies()
			.forInterfaces(AopProxyUtils.completeJdkProxyInterfaces(NamingService.class))).accepts(this.hints);
	}

	@Test
	void theConfigInternalsTheStarterReadsExistInThisClientVersion() throws Exception {
		new NacosClientRuntimeHints().registerHints(this.hints, getClass().getClassLoader());
		assertThat(NacosConfigService.class.getName()).isEqualTo(NacosClientRuntimeHints.CONFIG_SERVICE);
		assertThat(ClientWorker.class.getName()).isEqualTo(NacosClientRuntimeHints.CONFIG_WORKER);
		assertThat(
				RuntimeHintsPredicates.reflection().onFieldAccess(NacosConfigService.class.getDeclaredField("worker")))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onFieldAccess(ClientWorker.class.getDeclaredField("uuid")))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.proxies()
			.forInterfaces(AopProxyUtils.completeJdkProxyInterfaces(ConfigService.class))).accepts(this.hints);
	}

	@Test
	void theStarterIsProcessedAheadOfTimeWithItsHints() {
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
		TestPropertySourceUtils.addInlinedPropertiesToEnvironment(context, "spring.application.name=aot-app",
				"spring.cloud.nacos.server-addr=127.0.0.1:1");
		context.register(AotApplication.class);
		InMemoryGeneratedFiles files = new InMemoryGeneratedFiles();
		DefaultGenerationContext generation = new DefaultGenerationContext(
				new ClassNameGenerator(ClassName.get(AotApplication.class)), files);
		new ApplicationContextAotGenerator().processAheadOfTime(context, generation);
		generation.writeGeneratedContent();
		assertThat(files.getGeneratedFiles(Kind.SOURCE).keySet())
			.anyMatch((source) -> source.startsWith("dev/nacosboot/core/NacosCoreAutoConfiguration__"))
			.anyMatch((source) -> source.startsWith("dev/nacosboot/discovery/"))
			.anyMatch((source) -> source.startsWith("dev/nacosboot/registry/"))
			.anyMatch((source) -> source.startsWith("dev/nacosboot/loadbalancer/"));
		assertThat(RuntimeHintsPredicates.resource().forResource(NacosClientRuntimeHints.VERSION_FILE))
			.accepts(generation.getRuntimeHints());
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class AotApplication {

	}

}
