package dev.nacosboot.actuate;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.config.ConfigService;
import dev.nacosboot.testserver.junit.NacosTestServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The config client's connection is read without asking the client: connected once its
 * gRPC connection runs, not once the client is shut down, and never waiting on the
 * client's own lock, which it holds while it opens a connection.
 */
class NacosConfigConnectionTests {

	@RegisterExtension
	static final NacosTestServerExtension nacos = new NacosTestServerExtension();

	@Test
	void followsTheClientsConnectionWithoutAskingTheServer() throws Exception {
		ConfigService service = NacosFactory.createConfigService(nacos.target().clientProperties());
		BooleanSupplier connected = NacosConfigConnection.connectionOf(service);
		try {
			service.getConfig("connection-check.properties", "DEFAULT_GROUP", 5000);
			await().atMost(Duration.ofSeconds(30)).until(connected::getAsBoolean);
		}
		finally {
			service.shutDown();
		}
		assertThat(connected.getAsBoolean()).as("shut down").isFalse();
	}

	@Test
	void doesNotWaitWhileTheClientHoldsItsLock() throws Exception {
		ConfigService service = NacosFactory.createConfigService(nacos.target().clientProperties());
		try {
			BooleanSupplier connected = NacosConfigConnection.connectionOf(service);
			Object worker = field(service, "worker");
			CountDownLatch held = new CountDownLatch(1);
			CountDownLatch release = new CountDownLatch(1);
			Thread holder = new Thread(() -> {
				// What the client does while it opens its first connection.
				synchronized (worker) {
					held.countDown();
					awaitQuietly(release);
				}
			});
			holder.start();
			held.await();
			try {
				CompletableFuture<Boolean> read = CompletableFuture.supplyAsync(connected::getAsBoolean);
				// Would never complete if the read waited for the lock (released below).
				await().atMost(Duration.ofSeconds(20)).until(read::isDone);
			}
			finally {
				release.countDown();
				holder.join();
			}
		}
		finally {
			service.shutDown();
		}
	}

	private static Object field(Object target, String name) throws ReflectiveOperationException {
		Field field = target.getClass().getDeclaredField(name);
		field.setAccessible(true);
		return field.get(target);
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
