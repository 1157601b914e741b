package dev.nacosboot.testserver;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.alibaba.nacos.api.common.Constants;
import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.pojo.Instance;
import com.alibaba.nacos.api.naming.remote.NamingRemoteConstants;
import com.alibaba.nacos.api.naming.remote.request.AbstractNamingRequest;
import com.alibaba.nacos.api.naming.remote.request.BatchInstanceRequest;
import com.alibaba.nacos.api.naming.remote.request.InstanceRequest;
import com.alibaba.nacos.api.naming.remote.request.NamingFuzzyWatchChangeNotifyRequest;
import com.alibaba.nacos.api.naming.remote.request.NamingFuzzyWatchRequest;
import com.alibaba.nacos.api.naming.remote.request.NamingFuzzyWatchSyncRequest;
import com.alibaba.nacos.api.naming.remote.response.NamingFuzzyWatchResponse;
import com.alibaba.nacos.api.naming.utils.NamingUtils;
import com.alibaba.nacos.api.remote.request.Request;
import com.alibaba.nacos.api.naming.remote.request.PersistentInstanceRequest;
import com.alibaba.nacos.api.naming.remote.request.ServiceListRequest;
import com.alibaba.nacos.api.naming.remote.request.ServiceQueryRequest;
import com.alibaba.nacos.api.naming.remote.request.SubscribeServiceRequest;
import com.alibaba.nacos.api.naming.remote.response.BatchInstanceResponse;
import com.alibaba.nacos.api.naming.remote.response.InstanceResponse;
import com.alibaba.nacos.api.naming.remote.response.QueryServiceResponse;
import com.alibaba.nacos.api.naming.remote.response.ServiceListResponse;
import com.alibaba.nacos.api.naming.remote.response.SubscribeServiceResponse;
import com.alibaba.nacos.api.naming.pojo.ServiceInfo;
import com.alibaba.nacos.api.remote.response.ResponseCode;

/**
 * The naming requests of the client, translated into {@link NamingStore} operations.
 */
final class NamingRequests {

	private static final Pattern CLUSTER_NAME = Pattern.compile("^[0-9a-zA-Z-]+$");

	private final NamingStore store;

	private final FuzzyWatchRegistry fuzzyWatches;

	private final boolean fuzzyWatch;

	/**
	 * Serves the naming requests.
	 * @param store the instances
	 * @param fuzzyWatch whether fuzzy watch requests are served; without, they are
	 * refused as by a server that has no handler for them (Nacos 2.x)
	 */
	NamingRequests(NamingStore store, boolean fuzzyWatch) {
		this.store = store;
		this.fuzzyWatch = fuzzyWatch;
		this.fuzzyWatches = new FuzzyWatchRegistry("naming", 10, new FuzzyWatchRegistry.Messages() {

			@Override
			public Request sync(String pattern, boolean initializing, Map<String, Boolean> addedByKey, int total,
					int current) {
				Set<NamingFuzzyWatchSyncRequest.Context> contexts = new LinkedHashSet<>();
				addedByKey.forEach((key, added) -> contexts.add(NamingFuzzyWatchSyncRequest.Context.build(key, added
						? Constants.ServiceChangedType.ADD_SERVICE : Constants.ServiceChangedType.DELETE_SERVICE)));
				return NamingFuzzyWatchSyncRequest.buildSyncNotifyRequest(pattern,
						initializing ? Constants.FUZZY_WATCH_INIT_NOTIFY : Constants.FUZZY_WATCH_DIFF_SYNC_NOTIFY,
						contexts, total, current);
			}

			@Override
			public Request finish(String pattern) {
				return NamingFuzzyWatchSyncRequest.buildSyncNotifyRequest(pattern,
						Constants.FINISH_FUZZY_WATCH_INIT_NOTIFY, new LinkedHashSet<>(), 0, 0);
			}

			@Override
			public Request change(String key, boolean added) {
				return new NamingFuzzyWatchChangeNotifyRequest(key,
						added ? Constants.ServiceChangedType.ADD_SERVICE : Constants.ServiceChangedType.DELETE_SERVICE);
			}

		});
		store.onAvailabilityChange(
				(service, up) -> this.fuzzyWatches.changed(serviceKey(service), resource(service), up));
	}

	FuzzyWatchRegistry fuzzyWatches() {
		return this.fuzzyWatches;
	}

	void registerOn(RequestRouter router) {
		router.add(InstanceRequest.class, InstanceResponse::new, true, this::instance);
		router.add(BatchInstanceRequest.class, BatchInstanceResponse::new, true, this::batch);
		router.add(PersistentInstanceRequest.class, InstanceResponse::new, true, this::persistent);
		router.add(ServiceQueryRequest.class, QueryServiceResponse::new, true, this::query);
		router.add(SubscribeServiceRequest.class, SubscribeServiceResponse::new, true, this::subscribe);
		router.add(ServiceListRequest.class, ServiceListResponse::new, true, this::list);
		if (this.fuzzyWatch) {
			router.add(NamingFuzzyWatchRequest.class, NamingFuzzyWatchResponse::new, true, this::fuzzyWatch);
		}
	}

	private NamingFuzzyWatchResponse fuzzyWatch(NamingFuzzyWatchRequest request, ServerConnection connection)
			throws NacosException {
		switch (request.getWatchType()) {
			case Constants.WATCH_TYPE_WATCH -> this.fuzzyWatches.watch(connection, request.getGroupKeyPattern(),
					request.getReceivedGroupKeys(), request.isInitializing(), () -> FuzzyWatchRegistry
						.index(this.store.availableServices(), NamingRequests::serviceKey, NamingRequests::resource));
			case Constants.WATCH_TYPE_CANCEL_WATCH ->
				this.fuzzyWatches.cancel(connection, request.getGroupKeyPattern());
			default -> throw new NacosException(NacosException.INVALID_PARAM,
					String.format("Unsupported request type %s", request.getWatchType()));
		}
		return NamingFuzzyWatchResponse.buildSuccessResponse();
	}

	private static String serviceKey(ServiceKey service) {
		return NamingUtils.getServiceKey(service.namespace(), service.group(), service.name());
	}

	private static FuzzyWatchRegistry.Resource resource(ServiceKey service) {
		return new FuzzyWatchRegistry.Resource(service.namespace(), service.group(), service.name());
	}

	private InstanceResponse instance(InstanceRequest request, ServerConnection connection) throws NacosException {
		ServiceKey service = serviceOf(request);
		Instance instance = checked(request.getInstance());
		switch (request.getType()) {
			case NamingRemoteConstants.REGISTER_INSTANCE -> this.store.register(connection, service, List.of(instance));
			case NamingRemoteConstants.DE_REGISTER_INSTANCE -> this.store.deregister(connection, service);
			default -> throw new NacosException(NacosException.INVALID_PARAM,
					String.format("Unsupported request type %s", request.getType()));
		}
		return new InstanceResponse(request.getType());
	}

	private BatchInstanceResponse batch(BatchInstanceRequest request, ServerConnection connection)
			throws NacosException {
		ServiceKey service = serviceOf(request);
		if (!NamingRemoteConstants.BATCH_REGISTER_INSTANCE.equals(request.getType())) {
			throw new NacosException(NacosException.INVALID_PARAM,
					String.format("Unsupported request type %s", request.getType()));
		}
		List<Instance> instances = (request.getInstances() != null) ? request.getInstances() : List.of();
		for (Instance instance : instances) {
			checked(instance);
			if (!instance.isEphemeral()) {
				throw new NacosException(NacosException.INVALID_PARAM, String.format(
						"Batch registration does not allow persistent instance registration , Instance：%s", instance));
			}
		}
		this.store.register(connection, service, instances);
		return new BatchInstanceResponse(request.getType());
	}

	private InstanceResponse persistent(PersistentInstanceRequest request, ServerConnection connection)
			throws NacosException {
		ServiceKey service = serviceOf(request);
		Instance instance = checked(request.getInstance());
		switch (request.getType()) {
			case NamingRemoteConstants.REGISTER_INSTANCE -> this.store.registerPersistent(service, instance);
			case NamingRemoteConstants.DE_REGISTER_INSTANCE -> this.store.deregisterPersistent(service, instance);
			default -> throw new NacosException(NacosException.INVALID_PARAM,
					String.format("Unsupported request type %s", request.getType()));
		}
		return new InstanceResponse(request.getType());
	}

	private QueryServiceResponse query(ServiceQueryRequest request, ServerConnection connection) throws NacosException {
		ServiceInfo info = this.store.query(serviceOf(request), request.getCluster(), request.isHealthyOnly());
		return QueryServiceResponse.buildSuccessResponse(info);
	}

	private SubscribeServiceResponse subscribe(SubscribeServiceRequest request, ServerConnection connection)
			throws NacosException {
		ServiceKey service = serviceOf(request);
		ServiceInfo info = request.isSubscribe() ? this.store.subscribe(connection, service, request.getClusters())
				: this.store.unsubscribe(connection, service, request.getClusters());
		return new SubscribeServiceResponse(ResponseCode.SUCCESS.getCode(), "success", info);
	}

	private ServiceListResponse list(ServiceListRequest request, ServerConnection connection) {
		NamingStore.ServicePage page = this.store.list(request.getNamespace(), request.getGroupName(),
				request.getPageNo(), request.getPageSize());
		return ServiceListResponse.buildSuccessResponse(page.count(), page.names());
	}

	private static ServiceKey serviceOf(AbstractNamingRequest request) throws NacosException {
		String name = request.getServiceName();
		if (name == null || name.isBlank()) {
			throw new NacosException(NacosException.INVALID_PARAM,
					"Param 'serviceName' is illegal, serviceName is blank");
		}
		if (name.contains(Constants.SERVICE_INFO_SPLITER)) {
			throw new NacosException(NacosException.INVALID_PARAM,
					"Param 'serviceName' is illegal, it should not contain " + Constants.SERVICE_INFO_SPLITER);
		}
		return ServiceKey.of(request.getNamespace(), request.getGroupName(), name.trim());
	}

	/** The real server's default {@code nacos.naming.service.metadata.length}. */
	static final int MAX_METADATA_LENGTH = 1024;

	static final String METADATA_TOO_LONG = "Param 'Metadata' is illegal, the param length should not exceed "
			+ MAX_METADATA_LENGTH + ".";

	static Instance checked(Instance instance) throws NacosException {
		if (instance == null) {
			throw new NacosException(NacosException.INVALID_PARAM, "Instance can not be null.");
		}
		if (instance.getIp() == null || instance.getIp().isBlank()) {
			throw new NacosException(NacosException.INVALID_PARAM, "Param 'ip' is illegal, ip is blank");
		}
		if (instance.getPort() < 0 || instance.getPort() > 65535) {
			throw new NacosException(NacosException.INVALID_PARAM,
					"Param 'port' is illegal, port should be in range [0, 65535]");
		}
		String cluster = instance.getClusterName();
		if (cluster != null && !cluster.isEmpty() && !CLUSTER_NAME.matcher(cluster).matches()) {
			throw new NacosException(NacosException.INVALID_PARAM, String
				.format("Instance 'clusterName' should be characters with only 0-9a-zA-Z-. (current: %s)", cluster));
		}
		if (metadataLength(instance.getMetadata()) > MAX_METADATA_LENGTH) {
			// The real server's gRPC parameter filter answers before the handler, in the
			// handler's response type.
			throw new NacosException(NacosException.INVALID_PARAM, "Param check invalid:" + METADATA_TOO_LONG);
		}
		return instance;
	}

	/**
	 * The metadata's length as the real server's parameter check counts it: the
	 * characters of every key and value that is not blank.
	 */
	static int metadataLength(Map<String, String> metadata) {
		if (metadata == null) {
			return 0;
		}
		int length = 0;
		for (Map.Entry<String, String> entry : metadata.entrySet()) {
			length += lengthUnlessBlank(entry.getKey()) + lengthUnlessBlank(entry.getValue());
		}
		return length;
	}

	private static int lengthUnlessBlank(String text) {
		return (text == null || text.isBlank()) ? 0 : text.length();
	}

}
