// SPDX-License-Identifier: GPL-2.0-only
/* Writes the fuzz targets' seed corpora (committed under tests/fuzz/corpus/): one valid request
 * of every method, a small rules store and attachments file, blocklist and CIDR samples. Run
 * it after changing the API or the state formats: make_corpus DIR. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attachments_file.h"
#include "rules_store.h"
#include "xdpfleet/v1/agent.pb-c.h"
#include "array_size.h"

static const char *out_dir;

static void write_file(const char *sub, const char *name, const void *data, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out_dir, sub);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", out_dir, sub, name);
	f = fopen(path, "w");
	if (!f || fwrite(data, 1, len, f) != len) {
		perror(path);
		exit(1);
	}
	fclose(f);
}

/* The agent target's input: the method's index, then the request. */
static void request(const char *method, const ProtobufCMessage *msg)
{
	const ProtobufCMethodDescriptor *m =
		protobuf_c_service_descriptor_get_method_by_name(&xdpfleet__v1__agent__descriptor, method);
	size_t len = protobuf_c_message_get_packed_size(msg);
	uint8_t *buf = malloc(len + 1);

	buf[0] = (uint8_t)(m - xdpfleet__v1__agent__descriptor.methods);
	protobuf_c_message_pack(msg, buf + 1);
	write_file("agent", method, buf, len + 1);
	free(buf);
}

static void agent_corpus(void)
{
	Xdpfleet__V1__GetInfoRequest info = XDPFLEET__V1__GET_INFO_REQUEST__INIT;
	Xdpfleet__V1__AttachRequest att = XDPFLEET__V1__ATTACH_REQUEST__INIT;
	Xdpfleet__V1__DetachRequest det = XDPFLEET__V1__DETACH_REQUEST__INIT;
	Xdpfleet__V1__ListAttachmentsRequest la = XDPFLEET__V1__LIST_ATTACHMENTS_REQUEST__INIT;
	Xdpfleet__V1__GetStatsRequest gs = XDPFLEET__V1__GET_STATS_REQUEST__INIT;
	Xdpfleet__V1__WatchStatsRequest ws = XDPFLEET__V1__WATCH_STATS_REQUEST__INIT;
	Xdpfleet__V1__AddRulesRequest add = XDPFLEET__V1__ADD_RULES_REQUEST__INIT;
	Xdpfleet__V1__DeleteRulesRequest del = XDPFLEET__V1__DELETE_RULES_REQUEST__INIT;
	Xdpfleet__V1__ListRulesRequest lr = XDPFLEET__V1__LIST_RULES_REQUEST__INIT;
	Xdpfleet__V1__FlushRulesRequest fl = XDPFLEET__V1__FLUSH_RULES_REQUEST__INIT;
	Xdpfleet__V1__CaptureRequest cap = XDPFLEET__V1__CAPTURE_REQUEST__INIT;
	Xdpfleet__V1__Rule r[3] = { XDPFLEET__V1__RULE__INIT, XDPFLEET__V1__RULE__INIT, XDPFLEET__V1__RULE__INIT };
	Xdpfleet__V1__RuleMatch m[3] = { XDPFLEET__V1__RULE_MATCH__INIT, XDPFLEET__V1__RULE_MATCH__INIT,
					 XDPFLEET__V1__RULE_MATCH__INIT };
	Xdpfleet__V1__Rule *rules[3] = { &r[0], &r[1], &r[2] };
	Xdpfleet__V1__RuleMatch *matches[1] = { &m[0] };
	uint64_t ids[2] = { 1, 2 };
	Xdpfleet__V1__WatchTopRequest wt = XDPFLEET__V1__WATCH_TOP_REQUEST__INIT;
	Xdpfleet__V1__AddTriggerRequest at = XDPFLEET__V1__ADD_TRIGGER_REQUEST__INIT;
	Xdpfleet__V1__Trigger trig = XDPFLEET__V1__TRIGGER__INIT;
	Xdpfleet__V1__ListTriggersRequest lt = XDPFLEET__V1__LIST_TRIGGERS_REQUEST__INIT;
	Xdpfleet__V1__DeleteTriggersRequest dt = XDPFLEET__V1__DELETE_TRIGGERS_REQUEST__INIT;
	Xdpfleet__V1__WatchEventsRequest we = XDPFLEET__V1__WATCH_EVENTS_REQUEST__INIT;

	request("GetInfo", &info.base);
	att.ifname = "veth0";
	att.program_case = XDPFLEET__V1__ATTACH_REQUEST__PROGRAM_BUILTIN;
	att.builtin = XDPFLEET__V1__BUILTIN_PROGRAM__BUILTIN_PROGRAM_FILTER;
	att.mode = XDPFLEET__V1__ATTACH_MODE__ATTACH_MODE_NATIVE;
	request("Attach", &att.base);
	det.ifname = "veth0";
	request("Detach", &det.base);
	request("ListAttachments", &la.base);
	gs.ifname = "veth0";
	request("GetStats", &gs.base);
	ws.interval_ms = 100;
	ws.count = 2;
	request("WatchStats", &ws.base);
	for (int i = 0; i < 3; i++) {
		r[i].match = &m[i];
		r[i].action = (Xdpfleet__V1__RuleAction)(1 + i);
	}
	m[0].src = "198.18.0.0/24";
	m[1].src = "2001:db8::/48";
	m[1].proto = XDPFLEET__V1__PROTOCOL__PROTOCOL_TCP;
	m[1].port_min = 80;
	m[1].port_max = 443;
	m[2].src = "198.18.7.7";
	r[2].limit_pps = 100;
	r[0].comment = "flood";
	r[0].ttl_seconds = 60;
	r[1].tag = "feed";
	add.rules = rules;
	add.n_rules = 3;
	request("AddRules", &add.base);
	del.ids = ids;
	del.n_ids = 2;
	del.matches = matches;
	del.n_matches = 1;
	request("DeleteRules", &del.base);
	lr.page_size = 2;
	request("ListRules", &lr.base);
	fl.action = XDPFLEET__V1__RULE_ACTION__RULE_ACTION_DROP;
	request("FlushRules", &fl.base);
	cap.ifname = "veth0";
	cap.verdict = XDPFLEET__V1__CAPTURE_VERDICT__CAPTURE_VERDICT_DROP;
	cap.sample = 10;
	cap.count = 2;
	cap.snaplen = 128;
	request("Capture", &cap.base);
	wt.interval_ms = 100;
	wt.count = 2;
	wt.limit = 5;
	request("WatchTop", &wt.base);
	trig.pps = 5000;
	trig.proto = XDPFLEET__V1__PROTOCOL__PROTOCOL_UDP;
	trig.port = 53;
	trig.prefix_len_v4 = 24;
	trig.action = XDPFLEET__V1__RULE_ACTION__RULE_ACTION_LIMIT;
	trig.limit_pps = 100;
	trig.ttl_seconds = 60;
	at.trigger = &trig;
	request("AddTrigger", &at.base);
	request("ListTriggers", &lt.base);
	dt.ids = ids;
	dt.n_ids = 1;
	request("DeleteTriggers", &dt.base);
	we.after_seq = 1;
	we.count = 1;
	request("WatchEvents", &we.base);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;

	*len = 0;
	if (f) {
		buf = malloc(1 << 16);
		*len = fread(buf, 1, 1 << 16, f);
		fclose(f);
	}
	return buf;
}

static bool no_more(void *ctx, uint64_t *cursor, struct rules_store_rule *out)
{
	(void)ctx;
	(void)cursor;
	(void)out;
	return false;
}

static void state_corpus(void)
{
	char dir[] = "/tmp/xf-corpus.XXXXXX", path[256], err[256], *parts[4], *all;
	const char *files[] = { "snapshot", "journal-0000000000000001", "journal-0000000000000002", "attachments.tsv" };
	struct rules_store_opts so = { .compact_in_foreground = true };
	struct attachment_record att = { .att = { .ifname = "veth0", .ifindex = 3, .program = "filter",
						  .mode = DP_MODE_NATIVE, .prog_id = 9, .has_stats = true } };
	struct rules_store_rule rule = { .id = 1, .slot = 0, .tag = "feed", .comment = "a \\ comment" };
	struct rules_store_image img;
	struct rules_store *st;
	size_t lens[4], total = 1;

	if (!mkdtemp(dir))
		exit(1);
	so.dir = dir;
	rule.spec.action = RULES_ACT_DROP;
	rule.spec.has_src = true;
	cidr_parse("198.18.0.0/24", NULL, &rule.spec.src, NULL);
	if (rules_store_open(&st, &so, err, sizeof(err)) || rules_store_load(st, &img, err, sizeof(err)))
		exit(1);
	rules_store_image_free(&img);
	rules_store_commit(st, &rule, 1, NULL, 0, 2);
	rules_store_compact(st, no_more, NULL, 2, true); /* an empty snapshot, journal 2 follows */
	rule.id = 2;
	rule.spec.proto = 17;
	rule.spec.has_ports = true;
	rule.spec.port_min = rule.spec.port_max = 53;
	rules_store_commit(st, &rule, 1, NULL, 0, 3);
	rules_store_commit(st, NULL, 0, &rule.id, 1, 3);
	rules_store_close(st);
	snprintf(path, sizeof(path), "%s/attachments.tsv", dir);
	attachments_file_save(path, &att, 1);
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		parts[i] = slurp(path, &lens[i]);
		total += lens[i] + 4;
	}
	all = calloc(1, total);
	for (int fix = 0; fix < 2; fix++) {
		size_t n = 0;

		all[n++] = (char)fix;
		for (int i = 0; i < 4; i++) {
			if (lens[i] && parts[i][lens[i] - 1] == '\n')
				lens[i]--; /* the separator brings it back */
			memcpy(all + n, parts[i] ? parts[i] : "", lens[i]);
			n += lens[i];
			if (i < 3) {
				memcpy(all + n, "\n--\n", 4);
				n += 4;
			}
		}
		write_file("state", fix ? "store-fixed-crc" : "store", all, n);
	}
	for (int i = 0; i < 4; i++)
		free(parts[i]);
	free(all);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path))
		exit(1);
}

int main(int argc, char **argv)
{
	static const char *const cidrs[] = { "198.18.0.0/15", "2001:db8::/32", "10.1.2.3", "::ffff:198.18.0.1/128",
					     "0.0.0.0/0" };
	static const char blocklist[] = "# example.netset\n# Entries : 2\n192.0.2.7\n198.51.100.0/24\n"
					"; Spamhaus\n203.0.113.0/24 ; SBL000001\n2001:db8:1000::/36 ; SBL2\n"
					"198.51.100.0/24\r\n10.1.2.3/8 # host bits\n\n";

	if (argc != 2) {
		fprintf(stderr, "usage: make_corpus DIR\n");
		return 2;
	}
	out_dir = argv[1];
	mkdir(out_dir, 0755);
	agent_corpus();
	state_corpus();
	for (size_t i = 0; i < ARRAY_SIZE(cidrs); i++) {
		char name[16];

		snprintf(name, sizeof(name), "c%zu", i);
		write_file("cidr", name, cidrs[i], strlen(cidrs[i]));
	}
	write_file("blocklist", "lists", blocklist, sizeof(blocklist) - 1);
	return 0;
}
