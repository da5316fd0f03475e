// SPDX-License-Identifier: GPL-2.0-only
/* xdpfleet capture: the pcap and pcapng writers byte by byte, per-host file names, the
 * arguments' checks (nothing is sent on a usage error), the request, and the files written from
 * streamed packets of one and two hosts. */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture_out.h"
#include "fake_rpc.h"
#include "harness.h"
#include "pcap_write.h"
#include "xdpfleet/v1/agent.pb-c.h"

#define RUN(r, ...) harness_run((r), NULL, __VA_ARGS__, NULL)

static uint32_t u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(1 << 20);

	assert_non_null(f);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

static void test_pcap_bytes(void **state)
{
	static const uint8_t frame[60] = { 0xde, 0xad, 0xbe, 0xef };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct pcapw w;

	(void)state;
	assert_int_equal(pcapw_open(&w, f, false, 256), 0);
	assert_int_equal(pcapw_packet(&w, 0, 1700000000123456789ull, 1500, frame, 60, "ignored"), 0);
	assert_int_equal(pcapw_packet(&w, 0, 0, 10, frame, 300, NULL), -EINVAL); /* over snaplen */
	fclose(f);
	assert_int_equal(len, 24 + 16 + 60);
	assert_int_equal(u32((uint8_t *)buf), 0xa1b23c4d); /* nanosecond pcap */
	assert_int_equal(u32((uint8_t *)buf + 4), 2 | 4 << 16);
	assert_int_equal(u32((uint8_t *)buf + 16), 256);
	assert_int_equal(u32((uint8_t *)buf + 20), 1); /* Ethernet */
	assert_int_equal(u32((uint8_t *)buf + 24), 1700000000);
	assert_int_equal(u32((uint8_t *)buf + 28), 123456789);
	assert_int_equal(u32((uint8_t *)buf + 32), 60);
	assert_int_equal(u32((uint8_t *)buf + 36), 1500);
	assert_memory_equal(buf + 40, frame, 60);
	free(buf);
}

/* Walks pcapng blocks: each one's two lengths agree and the blocks tile the file exactly. */
static void test_pcapng_blocks(void **state)
{
	static const uint8_t frame[61] = { 1, 2, 3 };
	uint32_t types[8], n = 0, a, b;
	char *buf = NULL;
	size_t len = 0, off = 0;
	FILE *f = open_memstream(&buf, &len);
	struct pcapw w;

	(void)state;
	assert_int_equal(pcapw_open(&w, f, true, 128), 0);
	assert_int_equal(pcapw_add_iface(&w, "h1:eth0", "h1", &a), 0);
	assert_int_equal(pcapw_add_iface(&w, "h2:eth0", NULL, &b), 0);
	assert_int_equal(a, 0);
	assert_int_equal(b, 1);
	assert_int_equal(pcapw_packet(&w, b, 5, 61, frame, 61, "host h2 verdict drop rule 7"), 0);
	assert_int_equal(pcapw_packet(&w, a, 6, 61, frame, 61, NULL), 0);
	assert_int_equal(pcapw_packet(&w, 2, 6, 61, frame, 61, NULL), -EINVAL); /* undeclared */
	fclose(f);
	while (off < len) {
		uint32_t blen = u32((uint8_t *)buf + off + 4);

		assert_true(blen % 4 == 0 && off + blen <= len && n < 8);
		assert_int_equal(u32((uint8_t *)buf + off + blen - 4), blen);
		types[n++] = u32((uint8_t *)buf + off);
		if (types[n - 1] == 6) {
			assert_int_equal(u32((uint8_t *)buf + off + 20), 61); /* captured length */
			assert_memory_equal(buf + off + 28, frame, 61);
		}
		off += blen;
	}
	assert_int_equal(off, len);
	assert_int_equal(n, 5);
	assert_int_equal(types[0], 0x0a0d0d0a);
	assert_int_equal(types[1], 1);
	assert_int_equal(types[2], 1);
	assert_int_equal(types[3], 6);
	assert_int_equal(types[4], 6);
	assert_non_null(memmem(buf, len, "host h2 verdict drop rule 7", 27));
	assert_non_null(memmem(buf, len, "h1:eth0", 7));
	free(buf);
}

static void test_host_paths(void **state)
{
	char p[256];

	(void)state;
	assert_int_equal(capture_out_host_path("x.pcap", "10.0.0.1:50051", p, sizeof(p)), 0);
	assert_string_equal(p, "x-10.0.0.1_50051.pcap");
	assert_int_equal(capture_out_host_path("/tmp/d.x/cap", "unix:/run/a.sock", p, sizeof(p)), 0);
	assert_string_equal(p, "/tmp/d.x/cap-unix__run_a.sock");
	assert_int_equal(capture_out_host_path(".hidden", "[2001:db8::1]:1", p, sizeof(p)), 0);
	assert_string_equal(p, ".hidden-_2001_db8__1__1");
	assert_int_equal(capture_out_host_path("x.pcap", "h", p, 5), -ENAMETOOLONG);
}

/* A usage error sends nothing and names the option. */
static void usage(const char *want, ...)
{
	char *argv[16];
	struct harness_run r;
	va_list ap;
	int n = 0;

	va_start(ap, want);
	while (n < 15 && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	fake_rpc_reset();
	harness_run(&r, NULL, "-H", "unix:/a,unix:/b", "capture", n > 0 ? argv[0] : NULL, n > 1 ? argv[1] : NULL,
		    n > 2 ? argv[2] : NULL, n > 3 ? argv[3] : NULL, n > 4 ? argv[4] : NULL, NULL);
	assert_int_equal(r.status, 2);
	harness_check_contains(r.err, want);
	assert_int_equal(fake_rpc_last.calls, 0);
	harness_free(&r);
}

static void test_usage_errors(void **state)
{
	(void)state;
	usage("-w FILE is required", "eth0", NULL);
	usage("missing the interface", "-w", "x.pcap", NULL);
	usage("--snaplen: invalid value '0'", "eth0", "-w", "x.pcap", "--snaplen", "0", NULL);
	usage("--snaplen: invalid value '4097'", "eth0", "-w", "x.pcap", "--snaplen", "4097", NULL);
	usage("--sample: invalid value '1/0'", "eth0", "-w", "x.pcap", "--sample", "1/0", NULL);
	usage("--verdict: 'dropped'", "eth0", "-w", "x.pcap", "--verdict", "dropped", NULL);
	usage("--count: invalid value '0'", "eth0", "-w", "x.pcap", "--count", "0", NULL);
	usage("--max-pps: invalid value '20001'", "eth0", "-w", "x.pcap", "--max-pps", "20001", NULL);
	usage("--rule: invalid value 'abc'", "eth0", "-w", "x.pcap", "--rule", "abc", NULL);
	usage("add --merge", "eth0", "-w", "-", NULL);
}

struct canned_capture {
	Xdpfleet__V1__CaptureResponse resp;
	Xdpfleet__V1__CapturedPacket pkt[3], *pp[3];
	uint8_t data[3][64];
};

static void canned_init(struct canned_capture *c, size_t n, uint8_t tag)
{
	xdpfleet__v1__capture_response__init(&c->resp);
	for (size_t i = 0; i < n; i++) {
		xdpfleet__v1__captured_packet__init(&c->pkt[i]);
		memset(c->data[i], tag + i, sizeof(c->data[i]));
		c->pkt[i].timestamp_unix_ns = 1000000000ull * (i + 1);
		c->pkt[i].orig_len = 100;
		c->pkt[i].verdict = XDPFLEET__V1__XDP_ACTION__XDP_DROP;
		c->pkt[i].rule_id = 7;
		c->pkt[i].data.data = c->data[i];
		c->pkt[i].data.len = 64;
		c->pp[i] = &c->pkt[i];
	}
	c->resp.packets = c->pp;
	c->resp.n_packets = n;
	c->resp.matched = 50;
	c->resp.sampled = 40;
	c->resp.over_limit = 30;
	c->resp.captured = n;
}

static void test_request_and_files(void **state)
{
	char dir[] = "/tmp/xf-capture-test.XXXXXX", path[512], merged[512];
	struct canned_capture a, b;
	const ProtobufCMessage *sa[1] = { &a.resp.base }, *sb[1] = { &b.resp.base };
	struct fake_host hosts[2] = { { .stream = sa, .n_stream = 1 }, { .stream = sb, .n_stream = 1 } };
	Xdpfleet__V1__CaptureRequest *req;
	struct harness_run r;
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	canned_init(&a, 3, 0x10);
	canned_init(&b, 2, 0x20);
	fake_rpc_set(hosts, 2);
	snprintf(path, sizeof(path), "%s/x.pcap", dir);
	RUN(&r, "-H", "unix:/a,unix:/b", "capture", "eth0", "--verdict", "drop", "--rule", "7", "--sample", "1/10",
	    "--count", "100", "--snaplen", "64", "--max-pps", "500", "-w", path);
	assert_int_equal(r.status, 0);
	assert_string_equal(fake_rpc_last.method, "Capture");
	assert_true(fake_rpc_last.opts.stream);
	req = (Xdpfleet__V1__CaptureRequest *)fake_rpc_last.req;
	assert_string_equal(req->ifname, "eth0");
	assert_int_equal(req->verdict, XDPFLEET__V1__CAPTURE_VERDICT__CAPTURE_VERDICT_DROP);
	assert_int_equal(req->rule_id, 7);
	assert_int_equal(req->sample, 10);
	assert_int_equal(req->count, 100);
	assert_int_equal(req->snaplen, 64);
	assert_int_equal(req->max_pps, 500);
	harness_check_contains(r.err, "unix:/a: 3 packets captured (matched 50, sampled 40, over --max-pps 30, lost 0)");
	harness_check_contains(r.err, "x-unix__b.pcap");
	harness_free(&r);
	snprintf(path, sizeof(path), "%s/x-unix__a.pcap", dir);
	buf = slurp(path, &len);
	assert_int_equal(len, 24 + 3 * (16 + 64));
	assert_int_equal(u32(buf + 24), 1);
	assert_int_equal(buf[40], 0x10);
	free(buf);
	snprintf(path, sizeof(path), "%s/x-unix__b.pcap", dir);
	buf = slurp(path, &len);
	assert_int_equal(len, 24 + 2 * (16 + 64));
	assert_int_equal(buf[40], 0x20);
	free(buf);
	unlink(path);
	snprintf(path, sizeof(path), "%s/x-unix__a.pcap", dir);
	unlink(path);

	/* --merge: one pcapng, a host per interface, every packet's comment names its host. */
	fake_rpc_set(hosts, 2);
	snprintf(merged, sizeof(merged), "%s/all.pcapng", dir);
	RUN(&r, "-H", "unix:/a,unix:/b", "capture", "eth0", "--merge", "-w", merged);
	assert_int_equal(r.status, 0);
	harness_free(&r);
	buf = slurp(merged, &len);
	assert_int_equal(u32(buf), 0x0a0d0d0a);
	assert_non_null(memmem(buf, len, "unix:/a:eth0", 12));
	assert_non_null(memmem(buf, len, "host unix:/b verdict drop rule 7", 32));
	free(buf);
	unlink(merged);
	rmdir(dir);
}

static void test_failed_host(void **state)
{
	char dir[] = "/tmp/xf-capture-test.XXXXXX", path[512];
	struct fake_host hosts[1] = { { .fail = true, .code = GRPC_STATUS_FAILED_PRECONDITION,
				       .message = "ifname: 'eth0' runs 'pass'; capture needs the filter program" } };
	struct harness_run r;

	(void)state;
	assert_non_null(mkdtemp(dir));
	fake_rpc_set(hosts, 1);
	snprintf(path, sizeof(path), "%s/x.pcap", dir);
	RUN(&r, "-H", "unix:/a", "capture", "eth0", "-w", path);
	assert_int_equal(r.status, 1);
	harness_check_contains(r.err, "capture needs the filter program");
	harness_free(&r);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcap_bytes),
		cmocka_unit_test(test_pcapng_blocks),
		cmocka_unit_test(test_host_paths),
		cmocka_unit_test_setup_teardown(test_usage_errors, fake_rpc_setup, fake_rpc_teardown),
		cmocka_unit_test_setup_teardown(test_request_and_files, fake_rpc_setup, fake_rpc_teardown),
		cmocka_unit_test_setup_teardown(test_failed_host, fake_rpc_setup, fake_rpc_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
