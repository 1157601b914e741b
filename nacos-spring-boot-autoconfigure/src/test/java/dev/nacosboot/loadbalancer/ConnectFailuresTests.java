package dev.nacosboot.loadbalancer;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which failures mean that the request never left the client.
 */
class ConnectFailuresTests {

	@Test
	void failuresToConnectShouldBeRecognisedInWhateverWrapping() {
		assertThat(ConnectFailures.isConnectFailure(new ConnectException("Connection refused"))).isTrue();
		assertThat(ConnectFailures.isConnectFailure(new NoRouteToHostException("No route to host"))).isTrue();
		assertThat(ConnectFailures.isConnectFailure(new UnknownHostException("ghost.invalid"))).isTrue();
		assertThat(ConnectFailures.isConnectFailure(new HttpConnectTimeoutException("HTTP connect timed out")))
			.isTrue();
		assertThat(ConnectFailures.isConnectFailure(new SocketTimeoutException("Connect timed out"))).isTrue();
		assertThat(ConnectFailures
			.isConnectFailure(new ResourceAccessException("I/O error", new ConnectException("Connection refused"))))
			.isTrue();
		assertThat(ConnectFailures
			.isConnectFailure(new WebClientRequestException(new IOException(new ConnectException("Connection refused")),
					HttpMethod.GET, URI.create("http://orders/x"), new HttpHeaders())))
			.isTrue();
	}

	@Test
	void failuresThatMayHaveReachedTheServerShouldNotBe() {
		assertThat(ConnectFailures.isConnectFailure(new SocketTimeoutException("Read timed out"))).isFalse();
		assertThat(ConnectFailures.isConnectFailure(new SocketException("Connection reset"))).isFalse();
		assertThat(ConnectFailures.isConnectFailure(new IOException("Broken pipe"))).isFalse();
		assertThat(ConnectFailures.isConnectFailure(new IllegalStateException("No instances available"))).isFalse();
		assertThat(ConnectFailures.isConnectFailure(null)).isFalse();
	}

	@Test
	void reasonShouldBeTheInnermostMessage() {
		assertThat(ConnectFailures
			.reason(new ResourceAccessException("I/O error on GET", new ConnectException("Connection refused"))))
			.isEqualTo("Connection refused");
		assertThat(ConnectFailures.reason(new ConnectException())).isEqualTo("ConnectException");
	}

}
