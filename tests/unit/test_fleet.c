/* test_fleet - fleet host names, the ssh argv and its remote quoting, the merged snapshot (issue 15) */
#include "tests/unit/testutil.h"

#include <jansson.h>

#include "core/fleet/fleet.h"
#include "core/fleet/fleet_act.h"
#include "core/fleet/fleet_json.h"

/* host names ssh would take for options, or a shell for something else, are refused */
static void test_host_valid(void **state)
{
	static const char *const good[] = { "mxa", "mx-1.example.com", "root@mx2", "[2001:db8::1]", "10.0.0.1" };
	static const char *const bad[] = { "", "-oProxyCommand=x", "-p22", "mx a", "mx;rm", "mx$(x)", "mx`x`",
					   "mx\nb", "mx|b", "mx>b", "mx'b", "mx\"b", "mx\\b", "mx*", "mx\tb" };
	struct why why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_int_equal(fleet_host_valid(good[i], &why), 0);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(fleet_host_valid(bad[i], &why), -1);
}

/* the argv: ssh's words, the options, --, the host, then every remote word quoted for the remote shell */
static void test_argv(void **state)
{
	struct strlist hosts = { 0 };
	struct fleet *fl;
	struct why why;
	char *words[] = { "hold", "--format", "json", "it's; rm -rf /" };
	char **v;
	const char *want[] = { "ssh", "-F", "/etc/x", "y", "-T", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5",
		"-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3", "--",
		"mxa", "'sudo'", "'-n'", "'/usr/bin/mqmon'", "--no-fleet", "'hold'", "'--format'", "'json'",
		"'it'\\''s; rm -rf /'", NULL };
	size_t i;

	(void)state;
	strlist_add(&hosts, "mxa");
	strlist_add(&hosts, "mxa");	/* a repeat is kept once */
	/* ssh_command is split at blanks (no quoting: never a shell), so "/etc/x y" is two words */
	fl = fleet_new(&hosts, "ssh -F /etc/x y", "sudo -n /usr/bin/mqmon", &why);
	assert_non_null(fl);
	assert_int_equal(fl->n, 1);
	v = fleet_argv(fl, "mxa", words, 4);
	for (i = 0; want[i] != NULL; i++) {
		assert_non_null(v[i]);
		assert_string_equal(v[i], want[i]);
	}
	assert_null(v[i]);
	fleet_argv_free(v);
	fleet_free(fl);
	strlist_add(&hosts, "-oProxyCommand=x");
	assert_null(fleet_new(&hosts, "ssh", "mqmon", &why));
	assert_non_null(strstr(why.text, "begins with '-'"));
	strlist_free(&hosts);
}

/* set_host - host i answered out (state ok), or did not (unreachable) */
static void set_host(struct fleet *fl, size_t i, const char *out)
{
	fl->hosts[i].state = out != NULL ? FLEET_OK : FLEET_UNREACHABLE;
	fl->hosts[i].out = out != NULL ? strdup(out) : NULL;
	fl->hosts[i].outlen = out != NULL ? strlen(out) : 0;
	snprintf(fl->hosts[i].problem, sizeof fl->hosts[i].problem, "%s", out != NULL ? "" : "Connection refused");
}

/* merged: a host on every message, totals and causes summed, a host that did not answer marked */
static void test_merge(void **state)
{
	struct strlist hosts = { 0 };
	struct fleet *fl;
	struct why why;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	json_error_t err;
	json_t *doc;

	(void)state;
	strlist_add(&hosts, "mxa");
	strlist_add(&hosts, "mxb");
	strlist_add(&hosts, "mxc");
	fl = fleet_new(&hosts, "ssh", "mqmon", &why);
	assert_non_null(fl);
	set_host(fl, 0, "{\"host\":\"a.example\",\"totals\":{\"messages\":1,\"recipients\":2,\"overdue\":0,"
		 "\"oldest_arrival\":100,\"soonest_retry\":null},\"messages\":[{\"queue_id\":\"A1\"}],"
		 "\"causes\":[{\"cause\":\"rate_limited\",\"messages\":1,\"recipients\":2,\"oldest_arrival\":100,"
		 "\"soonest_retry\":null,\"domains\":[{\"domain\":\"gmail.com\",\"messages\":1,\"recipients\":2}]}],"
		 "\"providers\":[],\"domains\":[],\"queues\":[]}");
	set_host(fl, 1, "{\"host\":\"b.example\",\"totals\":{\"messages\":2,\"recipients\":2,\"overdue\":1,"
		 "\"oldest_arrival\":50,\"soonest_retry\":500},\"messages\":[{\"queue_id\":\"B1\"},{\"queue_id\":\"B2\"}],"
		 "\"causes\":[{\"cause\":\"rate_limited\",\"messages\":2,\"recipients\":2,\"oldest_arrival\":50,"
		 "\"soonest_retry\":500,\"domains\":[{\"domain\":\"gmail.com\",\"messages\":2,\"recipients\":2}]}],"
		 "\"providers\":[],\"domains\":[],\"queues\":[]}");
	set_host(fl, 2, NULL);
	assert_int_equal(fleet_merge_snapshots(fl, fp, &why), 0);
	fclose(fp);
	doc = json_loads(buf, 0, &err);
	assert_non_null(doc);
	assert_int_equal(json_array_size(json_object_get(doc, "messages")), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(doc, "messages"), 2),
							      "host")), "mxb");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "totals"), "messages")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "totals"), "oldest_arrival")), 50);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "totals"), "soonest_retry")), 500);
	assert_int_equal(json_array_size(json_object_get(doc, "causes")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(doc, "causes"), 0),
							   "messages")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(json_array_get(
		json_object_get(doc, "causes"), 0), "domains"), 0), "messages")), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(doc, "hosts"), 2),
							      "state")), "unreachable");
	assert_true(json_is_null(json_object_get(json_array_get(json_object_get(doc, "hosts"), 2), "totals")));
	json_decref(doc);
	free(buf);
	fleet_free(fl);
	strlist_free(&hosts);
}

/* word_with - the argv word that starts with prefix, NULL when none */
static const char *word_with(char **v, const char *prefix)
{
	for (; v != NULL && *v != NULL; v++)
		if (strncmp(*v, prefix, strlen(prefix)) == 0)
			return *v;
	return NULL;
}

/* connection sharing (the fleet console): one master socket a fleet host, two aliases of one address too */
static void test_argv_control(void **state)
{
	struct strlist hosts = { 0 };
	struct fleet *fl;
	struct why why;
	char *words[] = { "stream" };
	char **a, **b;

	(void)state;
	strlist_add(&hosts, "mxa");
	strlist_add(&hosts, "mxb");
	assert_non_null(fl = fleet_new(&hosts, "ssh", "mqmon", &why));
	a = fleet_argv(fl, "mxa", words, 1);
	assert_null(word_with(a, "ControlPath="));	/* none unless the console asks */
	fleet_argv_free(a);
	snprintf(fl->control_dir, sizeof fl->control_dir, "/tmp/mqmon-fleet-x");
	a = fleet_argv(fl, "mxa", words, 1);
	b = fleet_argv(fl, "mxb", words, 1);
	assert_non_null(word_with(a, "ControlMaster=auto"));
	assert_non_null(word_with(a, "ControlPath=/tmp/mqmon-fleet-x/"));
	assert_non_null(word_with(b, "ControlPath=/tmp/mqmon-fleet-x/"));
	assert_string_not_equal(word_with(a, "ControlPath="), word_with(b, "ControlPath="));
	assert_null(strstr(word_with(a, "ControlPath="), "%C"));	/* %C: the same for two aliases of one address */
	fleet_argv_free(a);
	fleet_argv_free(b);
	fleet_free(fl);
	strlist_free(&hosts);
}

/* an action's plan: each host's IDs once, a host not in the fleet refused, the audit target host:ID */
static void test_plan(void **state)
{
	struct strlist hosts = { 0 };
	struct fleet_plan p;
	struct fleet *fl;
	struct why why;
	char *target;

	(void)state;
	strlist_add(&hosts, "mxa");
	strlist_add(&hosts, "mxb");
	strlist_add(&hosts, "mxc");
	assert_non_null(fl = fleet_new(&hosts, "ssh", "mqmon", &why));
	assert_int_equal(fleet_plan_init(&p, fl), 0);
	assert_int_equal(fleet_plan_add(&p, fl, "mxb", "AAA"), 0);
	assert_int_equal(fleet_plan_add(&p, fl, "mxb", "AAA"), 0);	/* once */
	assert_int_equal(fleet_plan_add(&p, fl, "mxa", "AAA"), 0);	/* the same ID on another host: its own */
	assert_int_equal(fleet_plan_add(&p, fl, "mxb", "BBB"), 0);
	assert_int_equal(fleet_plan_add(&p, fl, "mxz", "CCC"), -1);
	assert_int_equal(p.nmsgs, 3);
	assert_int_equal(fleet_plan_hosts(&p), 2);
	assert_int_equal(p.ids[2].n, 0);
	assert_non_null(target = fleet_act_target(fl, &p));
	assert_string_equal(target, "mxa:AAA mxb:AAA mxb:BBB");
	free(target);
	fleet_plan_free(&p);
	fleet_free(fl);
	strlist_free(&hosts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_valid),
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_argv_control),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_merge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
