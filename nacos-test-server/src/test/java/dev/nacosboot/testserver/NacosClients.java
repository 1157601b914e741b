package dev.nacosboot.testserver;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.NamingService;
import dev.nacosboot.testserver.junit.NacosTarget;

/**
 * Real nacos-client instances for one test, all shut down by {@link #close()}.
 */
final class NacosClients implements AutoCloseable {

	private final NacosTarget target;

	private final List<AutoCloseable> opened = new ArrayList<>();

	NacosClients(NacosTarget target) {
		this.target = target;
	}

	NamingService naming(String namespace) throws NacosException {
		return naming(this.target.clientProperties(namespace));
	}

	NamingService naming(Properties properties) throws NacosException {
		NamingService naming = NacosFactory.createNamingService(properties);
		this.opened.add(naming::shutDown);
		return naming;
	}

	ConfigService config(String namespace) throws NacosException {
		return config(this.target.clientProperties(namespace));
	}

	ConfigService config(Properties properties) throws NacosException {
		ConfigService config = NacosFactory.createConfigService(properties);
		this.opened.add(config::shutDown);
		return config;
	}

	@Override
	public void close() throws Exception {
		for (AutoCloseable client : this.opened) {
			client.close();
		}
		this.opened.clear();
	}

}
