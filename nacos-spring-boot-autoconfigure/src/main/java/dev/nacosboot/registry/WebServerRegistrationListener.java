package dev.nacosboot.registry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.util.StringUtils;

/**
 * Starts the registration when this context's main web server is up; a management server
 * on its own port only adds its port to the metadata.
 */
class WebServerRegistrationListener implements ApplicationListener<WebServerInitializedEvent> {

	private final ApplicationContext context;

	private final ObjectProvider<NacosAutoServiceRegistration> registration;

	WebServerRegistrationListener(ApplicationContext context,
			ObjectProvider<NacosAutoServiceRegistration> registration) {
		this.context = context;
		this.registration = registration;
	}

	@Override
	public void onApplicationEvent(WebServerInitializedEvent event) {
		NacosAutoServiceRegistration registration = this.registration.getIfAvailable();
		if (registration == null) {
			return;
		}
		String namespace = event.getApplicationContext().getServerNamespace();
		int port = event.getWebServer().getPort();
		if ("management".equals(namespace)) {
			registration.getReconciler()
				.publishMetadata(NacosRegistrationFactory.MANAGEMENT_PORT_KEY, String.valueOf(port));
		}
		else if (!StringUtils.hasText(namespace) && event.getApplicationContext() == this.context) {
			registration.start(port);
		}
	}

}
