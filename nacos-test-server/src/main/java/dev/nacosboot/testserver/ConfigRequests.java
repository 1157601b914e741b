package dev.nacosboot.testserver;

import java.util.regex.Pattern;

import com.alibaba.nacos.api.config.remote.request.ConfigBatchListenRequest;
import com.alibaba.nacos.api.config.remote.request.ConfigPublishRequest;
import com.alibaba.nacos.api.config.remote.request.ConfigQueryRequest;
import com.alibaba.nacos.api.config.remote.request.ConfigRemoveRequest;
import com.alibaba.nacos.api.config.remote.response.ConfigChangeBatchListenResponse;
import com.alibaba.nacos.api.config.remote.response.ConfigPublishResponse;
import com.alibaba.nacos.api.config.remote.response.ConfigQueryResponse;
import com.alibaba.nacos.api.config.remote.response.ConfigRemoveResponse;
import com.alibaba.nacos.api.exception.NacosException;

/**
 * The config requests of the client, translated into {@link ConfigStore} operations.
 */
final class ConfigRequests {

	/** Characters Nacos accepts in data ids and groups. */
	static final Pattern VALID_NAME = Pattern.compile("^[a-zA-Z0-9_:.\\-]+$");

	private final ConfigStore store;

	ConfigRequests(ConfigStore store) {
		this.store = store;
	}

	void registerOn(RequestRouter router) {
		router.add(ConfigQueryRequest.class, ConfigQueryResponse::new, true, (request, connection) -> query(request));
		router.add(ConfigPublishRequest.class, ConfigPublishResponse::new, true,
				(request, connection) -> publish(request));
		router.add(ConfigRemoveRequest.class, ConfigRemoveResponse::new, true, (request, connection) -> remove(request));
		router.add(ConfigBatchListenRequest.class, ConfigChangeBatchListenResponse::new, true, this::listen);
	}

	private ConfigQueryResponse query(ConfigQueryRequest request) throws NacosException {
		checkNames(request.getDataId(), request.getGroup());
		ConfigStore.ConfigItem item = this.store.query(ConfigKey.of(request.getTenant(), request.getGroup(),
				request.getDataId()));
		if (item == null) {
			return ConfigQueryResponse.buildFailResponse(ConfigQueryResponse.CONFIG_NOT_FOUND, "config data not exist");
		}
		ConfigQueryResponse response = ConfigQueryResponse.buildSuccessResponse(item.content());
		response.setMd5(item.md5());
		response.setLastModified(item.lastModified());
		response.setContentType(item.type());
		response.setEncryptedDataKey("");
		return response;
	}

	private ConfigPublishResponse publish(ConfigPublishRequest request) throws NacosException {
		checkNames(request.getDataId(), request.getGroup());
		if (request.getContent() == null || request.getContent().isBlank()) {
			throw new NacosException(NacosException.INVALID_PARAM, "content is blank : " + request.getContent());
		}
		ConfigKey key = ConfigKey.of(request.getTenant(), request.getGroup(), request.getDataId());
		boolean stored = this.store.publish(key, request.getContent(), request.getAdditionParam("type"),
				request.getCasMd5());
		if (!stored) {
			return ConfigPublishResponse.buildFailResponse(NacosException.SERVER_ERROR,
					"Cas publish fail, server md5 may have changed.");
		}
		return ConfigPublishResponse.buildSuccessResponse();
	}

	private ConfigRemoveResponse remove(ConfigRemoveRequest request) throws NacosException {
		checkNames(request.getDataId(), request.getGroup());
		this.store.remove(ConfigKey.of(request.getTenant(), request.getGroup(), request.getDataId()));
		return ConfigRemoveResponse.buildSuccessResponse();
	}

	private ConfigChangeBatchListenResponse listen(ConfigBatchListenRequest request, ServerConnection connection) {
		ConfigChangeBatchListenResponse response = new ConfigChangeBatchListenResponse();
		for (ConfigBatchListenRequest.ConfigListenContext context : request.getConfigListenContexts()) {
			ConfigKey key = ConfigKey.of(context.getTenant(), context.getGroup(), context.getDataId());
			if (request.isListen()) {
				if (this.store.listen(connection, key, context.getTenant(), context.getMd5())) {
					response.addChangeConfig(context.getDataId(), context.getGroup(), context.getTenant());
				}
			}
			else {
				this.store.unlisten(connection, key);
			}
		}
		return response;
	}

	static void checkNames(String dataId, String group) throws NacosException {
		if (dataId == null || dataId.isBlank() || !VALID_NAME.matcher(dataId).matches()) {
			throw new NacosException(NacosException.INVALID_PARAM, "invalid dataId : " + dataId);
		}
		if (group == null || group.isBlank() || !VALID_NAME.matcher(group).matches()) {
			throw new NacosException(NacosException.INVALID_PARAM, "invalid group : " + group);
		}
	}

}
