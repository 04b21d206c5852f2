/* test_vocab - the fixed vocabularies (core/base/vocab): every value round-trips through its word,
 * words are distinct, unknown words and values say so, the queue actions are the first audited
 * verbs, and the values the history's schema was written with do not move */
#include "tests/unit/testutil.h"

#include "core/base/vocab.h"

/* the words on disk (attempts.status codes, message_events.state codes, actions.action and
 * throttles.mode words) as the history has held them since schema 2: never to change */
static const char *const stored_statuses[] = { NULL, "deferred", "sent", "bounced", "expired" };
static const char *const stored_states[] = { NULL, "queued", "hold", "removed", "expired", "deferred" };
static const char *const stored_verbs[] = {
	"retry", "hold", "release", "delete", "requeue", "throttle", "unthrottle"
};
static const char *const stored_modes[] = { "slow", "pause" };

static void test_delivery_statuses(void **state)
{
	int s, t;

	(void)state;
	for (s = STATUS_NONE; s <= STATUS_OTHER; s++) {
		const char *w = delivery_status_name((enum delivery_status)s);

		assert_non_null(w);
		assert_int_equal(delivery_status_from(w), s);
		for (t = STATUS_NONE; t < s; t++)
			assert_string_not_equal(delivery_status_name((enum delivery_status)t), w);
	}
	for (s = STATUS_DEFERRED; s <= STATUS_EXPIRED; s++)
		assert_string_equal(delivery_status_name((enum delivery_status)s), stored_statuses[s]);
	assert_int_equal(STATUS_OTHER, STATUS_EXPIRED + 1);
	assert_string_equal(delivery_status_name(STATUS_NONE), "");
	assert_string_equal(delivery_status_name(STATUS_OTHER), "other");
	assert_string_equal(delivery_status_name((enum delivery_status)99), "other");
	assert_int_equal(delivery_status_from("delivered"), STATUS_OTHER);
	assert_int_equal(delivery_status_from("Deferred"), STATUS_OTHER);
	assert_int_equal(delivery_status_from(NULL), STATUS_OTHER);
}

static void test_audit_verbs(void **state)
{
	int v, t;

	(void)state;
	assert_int_equal(AUDIT_VERB_COUNT, sizeof stored_verbs / sizeof stored_verbs[0]);
	for (v = 0; v < AUDIT_VERB_COUNT; v++) {
		const char *w = audit_verb_name((enum audit_verb)v);

		assert_string_equal(w, stored_verbs[v]);
		assert_int_equal(audit_verb_from(w), v);
		for (t = 0; t < v; t++)
			assert_string_not_equal(audit_verb_name((enum audit_verb)t), w);
	}
	assert_string_equal(audit_verb_name(AUDIT_VERB_UNKNOWN), "?");
	assert_string_equal(audit_verb_name(AUDIT_VERB_COUNT), "?");
	assert_int_equal(audit_verb_from("flush"), AUDIT_VERB_UNKNOWN);
	assert_int_equal(audit_verb_from(""), AUDIT_VERB_UNKNOWN);
	assert_int_equal(audit_verb_from(NULL), AUDIT_VERB_UNKNOWN);
}

/* the queue actions are the first audited verbs, with their values and words */
static void test_action_kinds_are_verbs(void **state)
{
	int k;

	(void)state;
	assert_int_equal(ACTION_KIND_COUNT, AUDIT_THROTTLE);
	for (k = 0; k < ACTION_KIND_COUNT; k++) {
		assert_int_equal(action_kind_verb((enum action_kind)k), k);
		assert_string_equal(action_kind_name((enum action_kind)k), audit_verb_name((enum audit_verb)k));
		assert_int_equal(action_kind_from(action_kind_name((enum action_kind)k)), k);
	}
	assert_int_equal(action_kind_from("hold"), ACTION_HOLD);
	/* throttle changes are audited verbs but no queue action */
	assert_int_equal(action_kind_from("throttle"), -1);
	assert_int_equal(action_kind_from("unthrottle"), -1);
	assert_int_equal(action_kind_from("flush"), -1);
	assert_int_equal(action_kind_from(NULL), -1);
	assert_string_equal(action_kind_name(ACTION_KIND_COUNT), "?");
}

static void test_throttle_modes(void **state)
{
	int m;

	(void)state;
	assert_int_equal(THROTTLE_MODE_COUNT, sizeof stored_modes / sizeof stored_modes[0]);
	for (m = 0; m < THROTTLE_MODE_COUNT; m++) {
		assert_string_equal(throttle_mode_name((enum throttle_mode)m), stored_modes[m]);
		assert_int_equal(throttle_mode_from(stored_modes[m]), m);
	}
	assert_string_equal(throttle_mode_name(THROTTLE_MODE_UNKNOWN), "?");
	assert_string_equal(throttle_mode_name(THROTTLE_MODE_COUNT), "?");
	assert_int_equal(throttle_mode_from("fast"), THROTTLE_MODE_UNKNOWN);
	assert_int_equal(throttle_mode_from(NULL), THROTTLE_MODE_UNKNOWN);
}

static void test_message_states(void **state)
{
	int s, t;

	(void)state;
	assert_int_equal(MESSAGE_STATE_COUNT, sizeof stored_states / sizeof stored_states[0]);
	for (s = MESSAGE_QUEUED; s < MESSAGE_STATE_COUNT; s++) {
		const char *w = message_state_name((enum message_state)s);

		assert_string_equal(w, stored_states[s]);
		assert_int_equal(message_state_from(w), s);
		for (t = MESSAGE_QUEUED; t < s; t++)
			assert_string_not_equal(message_state_name((enum message_state)t), w);
	}
	assert_string_equal(message_state_name(MESSAGE_STATE_UNKNOWN), "?");
	assert_string_equal(message_state_name(MESSAGE_STATE_COUNT), "?");
	assert_int_equal(message_state_from("?"), MESSAGE_STATE_UNKNOWN);
	assert_int_equal(message_state_from("frozen"), MESSAGE_STATE_UNKNOWN);
	assert_int_equal(message_state_from(NULL), MESSAGE_STATE_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delivery_statuses),
		cmocka_unit_test(test_audit_verbs),
		cmocka_unit_test(test_action_kinds_are_verbs),
		cmocka_unit_test(test_throttle_modes),
		cmocka_unit_test(test_message_states),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
