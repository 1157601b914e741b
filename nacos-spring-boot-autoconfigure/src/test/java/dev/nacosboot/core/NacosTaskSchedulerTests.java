package dev.nacosboot.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.annotation.EnableScheduling;

import static org.assertj.core.api.Assertions.assertThat;

class NacosTaskSchedulerTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(NacosCoreAutoConfiguration.class));

	@Test
	void schedulerShouldRunTheStartersWorkOnNacosThreads() {
		this.runner.run((context) -> {
			TaskScheduler scheduler = context.getBean(NacosCoreAutoConfiguration.TASK_SCHEDULER_BEAN_NAME,
					TaskScheduler.class);
			CompletableFuture<String> thread = new CompletableFuture<>();
			scheduler.schedule(() -> thread.complete(Thread.currentThread().getName()), java.time.Instant.now());
			assertThat(thread.get(10, TimeUnit.SECONDS)).startsWith("nacos-");
		});
	}

	@Test
	void schedulerShouldNotBecomeTheApplicationsScheduler() {
		this.runner.withConfiguration(AutoConfigurations.of(TaskSchedulingAutoConfiguration.class))
			.withUserConfiguration(SchedulingApplication.class)
			.run((context) -> {
				assertThat(context).hasBean("taskScheduler")
					.hasBean(NacosCoreAutoConfiguration.TASK_SCHEDULER_BEAN_NAME);
				assertThat(context.getBean(TaskScheduler.class)).isSameAs(context.getBean("taskScheduler"));
			});
	}

	@Test
	void schedulerShouldAcceptWorkWhileTheContextCloses() {
		CompletableFuture<String> ranOnClose = new CompletableFuture<>();
		this.runner
			.withBean("closeStep", ApplicationListener.class,
					() -> (ApplicationListener<ContextClosedEvent>) (event) -> event.getApplicationContext()
						.getBean(NacosCoreAutoConfiguration.TASK_SCHEDULER_BEAN_NAME, TaskScheduler.class)
						.schedule(() -> ranOnClose.complete(Thread.currentThread().getName()), java.time.Instant.now()))
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(ranOnClose).succeedsWithin(java.time.Duration.ofSeconds(10)).asString().startsWith("nacos-");
	}

	@Configuration(proxyBeanMethods = false)
	@EnableScheduling
	static class SchedulingApplication {

		@Bean
		String user(@Qualifier(NacosCoreAutoConfiguration.TASK_SCHEDULER_BEAN_NAME) TaskScheduler scheduler) {
			return "qualified injection still works";
		}

	}

}
