// The sample's page: polls the consumer once a second and renders what it sees. No build step, no libraries.
'use strict';

const SERVICE = 'greeting-service';
const $ = (id) => document.getElementById(id);

function text(value) {
	return (value === null || value === undefined) ? '' : String(value);
}

function cell(row, value, className) {
	const td = row.insertCell();
	td.textContent = text(value);
	if (className) {
		td.className = className;
	}
	return td;
}

function pairs(element, entries) {
	element.replaceChildren();
	for (const [key, value] of entries) {
		const dt = document.createElement('dt');
		dt.textContent = key;
		const dd = document.createElement('dd');
		dd.textContent = text(value);
		element.append(dt, dd);
	}
}

async function getJson(path) {
	const response = await fetch(path, { headers: { Accept: 'application/json' } });
	if (!response.ok) {
		throw new Error(path + ': ' + response.status);
	}
	return response.json();
}

function isVersion(outcome) {
	return outcome !== 'no-instance' && outcome !== 'error';
}

function renderTraffic(traffic) {
	const window = traffic.window;
	let total = 0;
	let failures = 0;
	for (const [outcome, count] of Object.entries(window)) {
		total += count;
		if (!isVersion(outcome)) {
			failures += count;
		}
	}
	const share = (count) => (total === 0) ? 0 : Math.round(100 * (count || 0) / total);
	const split = $('split');
	split.dataset.shareV1 = share(window.v1);
	split.dataset.shareV2 = share(window.v2);
	$('share-v1').textContent = share(window.v1) + ' %';
	$('share-v2').textContent = share(window.v2) + ' %';
	$('share-failure').textContent = share(failures) + ' %';
	$('window-total').textContent = total;
	$('window-seconds').textContent = traffic.windowSeconds;
	$('chart-seconds').textContent = traffic.seconds.length;
	renderChart(traffic.seconds);
}

function renderChart(seconds) {
	const svg = $('chart');
	const width = 600;
	const height = 160;
	const slot = width / seconds.length;
	const totals = seconds.map((second) => Object.values(second.byOutcome).reduce((a, b) => a + b, 0));
	const max = Math.max(1, ...totals);
	const parts = [];
	seconds.forEach((second, index) => {
		let y = height;
		// v1 at the bottom, then the other versions, failures on top.
		const outcomes = Object.keys(second.byOutcome).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
		for (const outcome of outcomes) {
			const h = height * second.byOutcome[outcome] / max;
			y -= h;
			const cls = isVersion(outcome) ? 'bar-' + (outcome === 'v1' || outcome === 'v2' ? outcome : 'other') : 'bar-failure';
			parts.push('<rect class="' + cls + '" data-outcome="' + outcome + '" x="' + (index * slot + 1).toFixed(1)
				+ '" y="' + y.toFixed(1) + '" width="' + (slot - 2).toFixed(1) + '" height="' + h.toFixed(1) + '"></rect>');
		}
	});
	svg.innerHTML = parts.join('');
}

function rank(outcome) {
	return outcome === 'v1' ? 0 : isVersion(outcome) ? 1 : 2;
}

function renderInstances(instances) {
	const body = $('instances').tBodies[0];
	body.replaceChildren();
	if (instances.length === 0) {
		cell(body.insertRow(), 'none registered', 'muted').colSpan = 5;
	}
	for (const instance of instances) {
		const row = body.insertRow();
		row.dataset.version = instance.version;
		cell(row, instance.address);
		cell(row, instance.version);
		cell(row, instance.weight);
		const routable = instance.healthy && instance.enabled;
		cell(row, routable ? 'UP' : (instance.enabled ? 'unhealthy' : 'disabled'), routable ? 'up' : 'down');
		cell(row, instance.calls);
	}
}

function renderConfig(state) {
	const body = $('config').tBodies[0];
	body.replaceChildren();
	for (const value of state.config) {
		const row = body.insertRow();
		row.dataset.key = value.key;
		cell(row, value.key);
		cell(row, value.value, 'value');
		cell(row, value.heldBy, 'muted');
		if (value.key === 'sample.theme-color') {
			$('header').style.background = value.value;
		}
		if (value.key === 'sample.announcement') {
			$('announcement').textContent = value.value;
		}
	}
	$('announcement-created').textContent = new Date(state.announcementCreatedAt).toLocaleTimeString();
}

function renderNacos(nacos) {
	const registration = nacos.registration || {};
	pairs($('registration'), [
		['service', registration.service],
		['instance', registration.ip + ':' + registration.port],
		['group / cluster', registration.group + ' / ' + registration.cluster],
		['status', registration.status + (registration.registered ? ', registered' : ', not registered')],
		['weight', registration.weight],
	]);
	const grayRules = nacos['gray-rules'] || {};
	const rule = (grayRules.services || {})[SERVICE] || grayRules['default'] || {};
	const canary = Object.entries(rule.canaryPercent || {}).map(([version, percent]) => version + ': ' + percent + ' %');
	pairs($('rules'), [
		['version header', grayRules.versionHeader],
		['stable version', rule.stableVersion || '(every non-canary)'],
		['canary', canary.length ? canary.join(', ') : 'none'],
		['sticky header', rule.stickyHeader || '-'],
		['missing version', rule.onMissingVersion],
	]);
	$('rules').dataset.canary = canary.join(', ');
	const input = $('rollout-percent');
	if (!input.dataset.edited) {
		// Start the form from the rule in force, until the user types.
		input.value = (rule.canaryPercent || {}).v2 || 0;
	}
	const rejection = $('rules-rejection');
	rejection.hidden = !grayRules.lastRejection;
	rejection.textContent = grayRules.lastRejection ? 'Last rejected change: ' + grayRules.lastRejection : '';
	const body = $('refreshes').tBodies[0];
	body.replaceChildren();
	for (const refresh of (nacos['refresh-history'] || []).slice().reverse().slice(0, 8)) {
		const row = body.insertRow();
		cell(row, new Date(refresh.time).toLocaleTimeString());
		cell(row, refresh.dataId);
		cell(row, refresh.outcome, refresh.outcome === 'APPLIED' ? 'up' : 'down');
		cell(row, (refresh.changedKeys || []).join(', ') || refresh.error || '');
	}
}

async function poll() {
	try {
		const [state, nacos] = await Promise.all([getJson('api/state'), getJson('actuator/nacos')]);
		renderTraffic(state.traffic);
		renderInstances(state.instances);
		renderConfig(state);
		renderNacos(nacos);
		document.body.dataset.updated = Date.now();
	}
	catch (error) {
		$('rollout-status').textContent = 'Cannot reach the consumer: ' + error.message;
	}
}

async function loadConfigContent() {
	const dataId = $('config-data-id').value;
	const response = await fetch('api/configs/' + encodeURIComponent(dataId));
	$('config-content').value = response.ok ? await response.text() : '';
	$('config-status').textContent = response.ok ? '' : 'not published yet';
}

$('rollout-form').addEventListener('submit', async (event) => {
	event.preventDefault();
	const percent = $('rollout-percent').value;
	const response = await fetch('api/rollout?percent=' + encodeURIComponent(percent), { method: 'POST' });
	const result = await response.json();
	$('rollout-status').textContent = response.ok && result.accepted
		? 'Published ' + result.dataId + ' with v2: ' + percent + ' %; watch the rules and the chart'
		: 'Not published: ' + (result.error || response.status);
	if ($('config-data-id').value === 'greeting-routing.yaml') {
		loadConfigContent();
	}
});

for (const event of ['focus', 'input']) {
	$('rollout-percent').addEventListener(event, () => {
		$('rollout-percent').dataset.edited = 'true';
	});
}

$('greet-form').addEventListener('submit', async (event) => {
	event.preventDefault();
	const version = $('greet-version').value;
	const headers = version ? { 'X-Gray-Version': version } : {};
	const result = await (await fetch('api/greet', { headers })).json();
	$('greet-result').textContent = result.text;
});

$('config-data-id').addEventListener('change', loadConfigContent);

$('config-form').addEventListener('submit', async (event) => {
	event.preventDefault();
	const dataId = $('config-data-id').value;
	const response = await fetch('api/configs/' + encodeURIComponent(dataId), {
		method: 'POST',
		headers: { 'Content-Type': 'text/plain' },
		body: $('config-content').value,
	});
	const result = await response.json();
	$('config-status').textContent = response.ok && result.accepted
		? 'Published ' + dataId + ' at ' + new Date().toLocaleTimeString()
		: 'Not published: ' + (result.error || response.status);
});

loadConfigContent();
poll();
setInterval(poll, 1000);
