/* test_actionkeys - the console's action table: no mail-changing key is a movement key of a common
 * keymap, every action can be reached, and the footer hints name every key (issue 12) */
#include "tests/unit/testutil.h"

#include <ctype.h>

#include "tui/actionkeys.h"

#define CTRL(c) ((c) & 0x1f)

/* movement keys of vi, emacs and less: pressed by reflex to move, never to change mail */
static const int movement_keys[] = {
	/* vi */
	'h', 'j', 'k', 'l', 'w', 'b', 'e', 'G', 'g', '0', '$', 'n', 'N',
	/* emacs */
	CTRL('f'), CTRL('b'), CTRL('n'), CTRL('p'), CTRL('a'), CTRL('e'),
	/* less */
	' ', 'b', 'd', 'u', 'f', 'j', 'k', 'g', 'G', 'q', '/',
	/* the console's own keys for moving and viewing */
	'\t', '\r', '\n', 27, '?', ':', 's', 'S', 'x', '*', CTRL('l'), CTRL('r'),
};

static void test_no_action_key_is_a_movement_key(void **state)
{
	size_t i, k;

	(void)state;
	for (i = 0; i < nactionkeys; i++)
		for (k = 0; k < sizeof movement_keys / sizeof movement_keys[0]; k++)
			if (actionkeys[i].key == movement_keys[k])
				fail_msg("action %s is on the movement key %d", actionkeys[i].name, movement_keys[k]);
}

/* the command keys (export ...) move nothing and take no action's key */
static void test_command_keys_are_their_own(void **state)
{
	size_t i, k;

	(void)state;
	for (i = 0; i < ncmdkeys; i++) {
		assert_null(actionkey_by_key(cmdkeys[i].key));
		assert_ptr_equal(cmdkey_by_key(cmdkeys[i].key), &cmdkeys[i]);
		assert_non_null(cmdkeys[i].help);
		for (k = 0; k < sizeof movement_keys / sizeof movement_keys[0]; k++)
			if (cmdkeys[i].key == movement_keys[k])
				fail_msg("command %s is on the movement key %d", cmdkeys[i].command, movement_keys[k]);
	}
	assert_non_null(cmdkey_by_key('X'));
	assert_string_equal(cmdkey_by_key('X')->command, "export json ");
	assert_null(cmdkey_by_key('h'));
}

static void test_every_action_is_reachable_once(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < nactionkeys; i++) {
		const struct actionkey *k = &actionkeys[i];

		assert_non_null(k->help);
		assert_non_null(k->cli);
		assert_true(k->key != 0 || (k->keyhelp != NULL && *k->keyhelp));
		assert_ptr_equal(actionkey_by_name(k->name), k);
		/* its name is the word of the verb its audit rows carry (core/base/vocab) */
		assert_string_equal(audit_verb_name(actionkey_verb(k)), k->name);
		if (k->key != 0)
			assert_ptr_equal(actionkey_by_key(k->key), k);
		for (j = 0; j < i; j++) {
			assert_string_not_equal(actionkeys[j].name, k->name);
			assert_true(k->key == 0 || actionkeys[j].key != k->key);
		}
	}
	assert_null(actionkey_by_key('h'));
	assert_null(actionkey_by_key(0));
	assert_null(actionkey_by_name("bogus"));
	/* delete is always confirmed */
	assert_int_equal(actionkey_by_name("delete")->confirm, CONFIRM_ALWAYS);
}

static void test_hints_name_every_key(void **state)
{
	char buf[300], want[40];
	size_t i;

	(void)state;
	actionkey_hints(buf, sizeof buf, 0, 0);
	for (i = 0; i < nactionkeys; i++) {
		if (actionkeys[i].key == 0)
			continue;
		snprintf(want, sizeof want, "%c:%s", actionkeys[i].key, actionkeys[i].name);
		assert_non_null(strstr(buf, want));
	}
	assert_non_null(strstr(buf, "Q:requeue"));
	actionkey_hints(buf, sizeof buf, 1, 0);
	assert_string_equal(buf, "actions R H U D Q T");
	/* an action the MTA lacks is left out (Exim: requeue) */
	for (i = 0; i < nactionkeys && actionkeys[i].op != OP_REQUEUE; i++)
		;
	assert_true(i < nactionkeys);
	actionkey_hints(buf, sizeof buf, 1, 1ul << i);
	assert_string_equal(buf, "actions R H U D T");
	actionkey_hints(buf, sizeof buf, 0, 1ul << i);
	assert_null(strstr(buf, "Q:"));
	assert_non_null(strstr(buf, "D:delete T:throttle"));
	/* a short buffer is cut, never overrun */
	assert_int_equal(actionkey_hints(buf, 8, 0, 0), 7);
	assert_int_equal(strlen(buf), 7);
	actionkey_names(buf, sizeof buf, " ");
	assert_string_equal(buf, "retry hold release delete requeue throttle unthrottle");
}

/* slurp - a whole file (tests run from the repository top) */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* man_has_key - a ".B"/".BR" line of the CONSOLE KEYS section has the key as a word of its own */
static int man_has_key(const char *man, int key)
{
	const char *p = strstr(man, ".SH \"CONSOLE KEYS\""), *end;

	if (p == NULL)
		return 0;
	end = strstr(p + 1, "\n.SH ");
	while ((p = strstr(p, "\n.B")) != NULL && (end == NULL || p < end)) {
		const char *eol = strchr(p + 1, '\n'), *q;

		for (q = p + 1; eol != NULL && q < eol; q++)
			if (*q == key && q[-1] == ' ' && (q + 1 == eol || q[1] == ' '))
				return 1;
		p++;
	}
	return 0;
}

/* the README's actions table and the man page's key list name the keys of the table */
static void test_docs_name_every_key(void **state)
{
	char *readme = slurp("README.md"), *man = slurp("doc/mqmon.1"), want[128];
	size_t i;

	(void)state;
	for (i = 0; i < nactionkeys; i++) {
		const struct actionkey *k = &actionkeys[i];

		if (k->key == 0)
			continue;
		/* README: "| `H` | `mqmon hold ID...` |" */
		snprintf(want, sizeof want, "| `%c`", k->key);
		if (strstr(readme, want) == NULL)
			fail_msg("README.md lacks %s in the actions table (%s)", want, k->name);
		snprintf(want, sizeof want, "`mqmon %s", k->name);
		if (strstr(readme, want) == NULL)
			fail_msg("README.md lacks %s", want);
		/* man page: the key as a bold word of the CONSOLE KEYS list */
		if (!man_has_key(man, k->key))
			fail_msg("doc/mqmon.1 lacks the key %c (%s) in CONSOLE KEYS", k->key, k->name);
	}
	for (i = 0; i < ncmdkeys; i++) {
		if (!man_has_key(man, cmdkeys[i].key))
			fail_msg("doc/mqmon.1 lacks the key %c (%s) in CONSOLE KEYS", cmdkeys[i].key, cmdkeys[i].command);
		snprintf(want, sizeof want, "`%c`", cmdkeys[i].key);
		if (strstr(readme, want) == NULL)
			fail_msg("README.md lacks the key %s (%s)", want, cmdkeys[i].command);
	}
	free(readme);
	free(man);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_action_key_is_a_movement_key),
		cmocka_unit_test(test_every_action_is_reachable_once),
		cmocka_unit_test(test_command_keys_are_their_own),
		cmocka_unit_test(test_hints_name_every_key),
		cmocka_unit_test(test_docs_name_every_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
