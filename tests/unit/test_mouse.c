/* test_mouse - a click's row in the list a view drew (issue 12: click selects a row) */
#include "tests/unit/testutil.h"

#include "tui/mouse.h"

static void test_rows_of_the_list(void **state)
{
	/* the messages view at 80x24: rows from line 3, 20 lines, scrolled to row 10 of 45 */
	struct list_geom g = { 3, 20, 10, 45 };

	(void)state;
	assert_int_equal(mouse_list_hit(&g, 3), 10);
	assert_int_equal(mouse_list_hit(&g, 22), 29);
	/* the heading, the status bar, the footer: no row */
	assert_int_equal(mouse_list_hit(&g, 2), -1);
	assert_int_equal(mouse_list_hit(&g, 0), -1);
	assert_int_equal(mouse_list_hit(&g, 23), -1);
	assert_int_equal(mouse_list_hit(&g, -1), -1);
}

static void test_below_the_last_row(void **state)
{
	/* three rows in a list of 20 lines: a click under them selects nothing */
	struct list_geom g = { 2, 20, 0, 3 }, none = { 2, 20, 0, 0 }, gone = { 2, 0, 0, 5 };

	(void)state;
	assert_int_equal(mouse_list_hit(&g, 4), 2);
	assert_int_equal(mouse_list_hit(&g, 5), -1);
	assert_int_equal(mouse_list_hit(&none, 2), -1);
	/* no list drawn (a text view): nothing */
	assert_int_equal(mouse_list_hit(&gone, 2), -1);
	assert_int_equal(mouse_list_hit(NULL, 2), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_of_the_list),
		cmocka_unit_test(test_below_the_last_row),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
