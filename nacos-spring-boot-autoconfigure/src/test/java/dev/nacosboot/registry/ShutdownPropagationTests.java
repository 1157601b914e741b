package dev.nacosboot.registry;

import java.time.Duration;

import dev.nacosboot.core.NacosConnectionDetails;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class ShutdownPropagationTests {

	@ParameterizedTest(name = "server-addr [{0}], endpoint [{1}], configured [{2}] -> {3} ms")
	@CsvSource(delimiter = '|', nullValues = "-", textBlock = """
			127.0.0.1:8848                              | -                | -     | 0
			http://10.0.0.1:8848                        | -                | -     | 0
			'10.0.0.1:8848,'                            | -                | -     | 0
			'10.0.0.1:8848,10.0.0.2:8848,10.0.0.3:8848' | -                | -     | 1500
			'10.0.0.1:8848, 10.0.0.2:8848'              | -                | -     | 1500
			-                                           | nacos.internal   | -     | 1500
			127.0.0.1:8848                              | nacos.internal   | -     | 1500
			127.0.0.1:8848                              | '  '             | -     | 0
			'10.0.0.1:8848,10.0.0.2:8848'               | -                | PT0S  | 0
			'10.0.0.1:8848,10.0.0.2:8848'               | -                | PT3S  | 3000
			127.0.0.1:8848                              | -                | PT0.2S | 200
			""")
	void marginFollowsTheConfiguredWaitElseTheServerList(@Nullable String serverAddr, @Nullable String endpoint,
			@Nullable Duration configured, long expectedMillis) {
		NacosConnectionDetails connection = new NacosConnectionDetails() {

			@Override
			public @Nullable String getServerAddr() {
				return serverAddr;
			}

			@Override
			public @Nullable String getEndpoint() {
				return endpoint;
			}

		};
		assertThat(ShutdownPropagation.margin(configured, connection)).isEqualTo(Duration.ofMillis(expectedMillis));
	}

}
