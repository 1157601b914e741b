package dev.nacosboot.sample.consumer;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * What the consumer says; rebound in place when {@code greeting-consumer.yaml} changes in
 * Nacos.
 */
@ConfigurationProperties("sample.greeting")
public class GreetingProperties {

	/**
	 * Word the consumer puts before each greeting-service answer.
	 */
	private String salutation = "Hello";

	public String getSalutation() {
		return this.salutation;
	}

	public void setSalutation(String salutation) {
		this.salutation = salutation;
	}

}
