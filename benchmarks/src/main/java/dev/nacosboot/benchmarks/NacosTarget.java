package dev.nacosboot.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.NamingService;
import org.jspecify.annotations.Nullable;

/**
 * The server the scenarios run against: the embedded test server in a child JVM (so that
 * its threads and heap stay out of the measured process, as a real server would), or the
 * Nacos named by {@code NACOS_SERVER_ADDR}.
 */
final class NacosTarget implements AutoCloseable {

	private final String serverAddr;

	private final @Nullable String username;

	private final @Nullable String password;

	private final @Nullable Process process;

	private NacosTarget(String serverAddr, @Nullable String username, @Nullable String password,
			@Nullable Process process) {
		this.serverAddr = serverAddr;
		this.username = username;
		this.password = password;
		this.process = process;
	}

	/**
	 * The external server when {@code NACOS_SERVER_ADDR} is set, else a fresh embedded
	 * one.
	 * @param pushDelayMillis the embedded server's naming push delay (a real Nacos 3 has
	 * ~500 ms)
	 */
	static NacosTarget start(int pushDelayMillis) throws IOException {
		String external = System.getenv("NACOS_SERVER_ADDR");
		if (external != null && !external.isBlank()) {
			return new NacosTarget(external, System.getenv("NACOS_USERNAME"), System.getenv("NACOS_PASSWORD"), null);
		}
		List<String> command = new ArrayList<>(ChildJvm.command("-Xmx256m", "-XX:+UseSerialGC"));
		command.addAll(List.of("dev.nacosboot.testserver.NacosTestServerMain", "--port=0", "--host=127.0.0.1",
				"--push-delay=" + pushDelayMillis));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		BufferedReader reader = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
		String line;
		while ((line = reader.readLine()) != null) {
			int at = line.indexOf("ready on ");
			if (at >= 0) {
				ChildJvm.drain(reader);
				return new NacosTarget(line.substring(at + "ready on ".length()).trim(), null, null, process);
			}
		}
		throw new IOException("The embedded test server exited before it was ready");
	}

	boolean isEmbedded() {
		return this.process != null;
	}

	String describe() {
		return isEmbedded() ? "embedded nacos-test-server (child JVM) at " + this.serverAddr
				: "external Nacos at " + this.serverAddr;
	}

	String serverAddr() {
		return this.serverAddr;
	}

	/** Spring properties that point an application at this server. */
	Map<String, Object> springProperties() {
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("spring.cloud.nacos.server-addr", this.serverAddr);
		if (this.username != null) {
			properties.put("spring.cloud.nacos.username", this.username);
			properties.put("spring.cloud.nacos.password", (this.password != null) ? this.password : "");
		}
		return properties;
	}

	Properties clientProperties() {
		Properties properties = new Properties();
		properties.setProperty("serverAddr", this.serverAddr);
		if (this.username != null) {
			properties.setProperty("username", this.username);
			properties.setProperty("password", (this.password != null) ? this.password : "");
		}
		return properties;
	}

	ConfigService configService() throws NacosException {
		return NacosFactory.createConfigService(clientProperties());
	}

	NamingService namingService() throws NacosException {
		return NacosFactory.createNamingService(clientProperties());
	}

	@Override
	public void close() throws InterruptedException {
		if (this.process != null) {
			this.process.destroy();
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
			}
		}
	}

}
