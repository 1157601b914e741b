package dev.nacosboot.testserver;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.alibaba.nacos.api.common.Constants;
import com.alibaba.nacos.api.config.remote.request.ConfigBatchListenRequest;
import com.alibaba.nacos.api.config.remote.request.ConfigFuzzyWatchChangeNotifyRequest;
import com.alibaba.nacos.api.config.remote.request.ConfigFuzzyWatchRequest;
import com.alibaba.nacos.api.config.remote.request.ConfigFuzzyWatchSyncRequest;
import com.alibaba.nacos.api.config.remote.request.ConfigPublishRequest;
import com.alibaba.nacos.api.config.remote.request.ConfigQueryRequest;
import com.alibaba.nacos.api.config.remote.request.ConfigRemoveRequest;
import com.alibaba.nacos.api.config.remote.response.ConfigChangeBatchListenResponse;
import com.alibaba.nacos.api.config.remote.response.ConfigFuzzyWatchResponse;
import com.alibaba.nacos.api.config.remote.response.ConfigPublishResponse;
import com.alibaba.nacos.api.config.remote.response.ConfigQueryResponse;
import com.alibaba.nacos.api.config.remote.response.ConfigRemoveResponse;
import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.remote.request.Request;
import com.alibaba.nacos.client.config.common.GroupKey;

/**
 * The config requests of the client, translated into {@link ConfigStore} operations.
 */
final class ConfigRequests {

	/** Characters Nacos accepts in data ids and groups. */
	static final Pattern VALID_NAME = Pattern.compile("^[a-zA-Z0-9_:.\\-]+$");

	private final ConfigStore store;

	private final FuzzyWatchRegistry fuzzyWatches;

	ConfigRequests(ConfigStore store) {
		this.store = store;
		this.fuzzyWatches = new FuzzyWatchRegistry("config", 20, new FuzzyWatchRegistry.Messages() {

			@Override
			public Request sync(String pattern, boolean initializing, Map<String, Boolean> addedByKey, int total,
					int current) {
				Set<ConfigFuzzyWatchSyncRequest.Context> contexts = new LinkedHashSet<>();
				addedByKey.forEach((key, added) -> contexts.add(ConfigFuzzyWatchSyncRequest.Context.build(key,
						added ? Constants.ConfigChangedType.ADD_CONFIG : Constants.ConfigChangedType.DELETE_CONFIG)));
				return ConfigFuzzyWatchSyncRequest.buildSyncRequest(
						initializing ? Constants.FUZZY_WATCH_INIT_NOTIFY : Constants.FUZZY_WATCH_DIFF_SYNC_NOTIFY,
						contexts, pattern, total, current);
			}

			@Override
			public Request finish(String pattern) {
				return ConfigFuzzyWatchSyncRequest.buildInitFinishRequest(pattern);
			}

			@Override
			public Request change(String key, boolean added) {
				// A real server cannot tell a new config from an update here, so it
				// reports CONFIG_CHANGED.
				return new ConfigFuzzyWatchChangeNotifyRequest(key,
						added ? Constants.ConfigChangedType.CONFIG_CHANGED : Constants.ConfigChangedType.DELETE_CONFIG);
			}

		});
		store.onExistenceChange((key, exists) -> this.fuzzyWatches.changed(groupKey(key), resource(key), exists));
	}

	FuzzyWatchRegistry fuzzyWatches() {
		return this.fuzzyWatches;
	}

	void registerOn(RequestRouter router) {
		router.add(ConfigQueryRequest.class, ConfigQueryResponse::new, true, (request, connection) -> query(request));
		router.add(ConfigPublishRequest.class, ConfigPublishResponse::new, true,
				(request, connection) -> publish(request));
		router.add(ConfigRemoveRequest.class, ConfigRemoveResponse::new, true,
				(request, connection) -> remove(request));
		router.add(ConfigBatchListenRequest.class, ConfigChangeBatchListenResponse::new, true, this::listen);
		router.add(ConfigFuzzyWatchRequest.class, ConfigFuzzyWatchResponse::new, true, this::fuzzyWatch);
	}

	private ConfigFuzzyWatchResponse fuzzyWatch(ConfigFuzzyWatchRequest request, ServerConnection connection)
			throws NacosException {
		switch (request.getWatchType()) {
			case Constants.WATCH_TYPE_WATCH -> this.fuzzyWatches.watch(connection, request.getGroupKeyPattern(),
					request.getReceivedGroupKeys(), request.isInitializing(), () -> FuzzyWatchRegistry
						.index(this.store.keys(), ConfigRequests::groupKey, ConfigRequests::resource));
			case Constants.WATCH_TYPE_CANCEL_WATCH ->
				this.fuzzyWatches.cancel(connection, request.getGroupKeyPattern());
			default -> throw new NacosException(NacosException.INVALID_PARAM,
					String.format("Unsupported request type %s", request.getWatchType()));
		}
		return new ConfigFuzzyWatchResponse();
	}

	private static String groupKey(ConfigKey key) {
		return GroupKey.getKeyTenant(key.dataId(), key.group(), key.tenant());
	}

	private static FuzzyWatchRegistry.Resource resource(ConfigKey key) {
		return new FuzzyWatchRegistry.Resource(key.tenant(), key.group(), key.dataId());
	}

	private ConfigQueryResponse query(ConfigQueryRequest request) throws NacosException {
		checkNames(request.getDataId(), request.getGroup());
		ConfigStore.ConfigItem item = this.store
			.query(ConfigKey.of(request.getTenant(), request.getGroup(), request.getDataId()));
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
