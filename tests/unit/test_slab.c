/* test_slab - fixed-size objects: zeroed, aligned, stable, reused after a free, all freed at once */
#include "tests/unit/testutil.h"

#include "core/base/slab.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct obj {
	char name[21];
	long long when;
};

/* test_zeroed_and_aligned - every object is zeroed, aligned for its widest field and distinct */
static void test_zeroed_and_aligned(void **state)
{
	struct slab s;
	struct obj *o[100];
	size_t i, k;

	(void)state;
	slab_init(&s, sizeof(struct obj), 7);	/* 7 a chunk: the objects span 15 chunks */
	for (i = 0; i < 100; i++) {
		assert_non_null(o[i] = slab_alloc(&s));
		assert_int_equal((uintptr_t)o[i] % _Alignof(long long), 0);
		for (k = 0; k < sizeof *o[i]; k++)
			assert_int_equal(((unsigned char *)o[i])[k], 0);
		memset(o[i], 0xab, sizeof *o[i]);	/* written whole: the next object must not change */
	}
	for (i = 0; i < 100; i++)
		for (k = i + 1; k < 100; k++)
			assert_true((char *)o[i] + sizeof *o[i] <= (char *)o[k] || (char *)o[k] + sizeof *o[k] <= (char *)o[i]);
	assert_int_equal(s.live, 100);
	assert_true(s.bytes >= 100 * sizeof(struct obj));
	slab_destroy(&s);
	assert_int_equal(s.live, 0);
	assert_int_equal(s.bytes, 0);
}

/* test_free_then_reuse - a freed object comes back (zeroed) before a new chunk is cut; the others stay */
static void test_free_then_reuse(void **state)
{
	struct slab s;
	struct obj *a, *b, *c, *d;
	size_t bytes;

	(void)state;
	slab_init(&s, sizeof(struct obj), 4);
	a = slab_alloc(&s);
	b = slab_alloc(&s);
	c = slab_alloc(&s);
	strcpy(a->name, "first");
	strcpy(c->name, "third");
	b->when = 42;
	bytes = s.bytes;
	slab_free(&s, b);
	slab_free(&s, NULL);
	assert_int_equal(s.live, 2);
	d = slab_alloc(&s);
	assert_ptr_equal(d, b);			/* the free list first */
	assert_int_equal(d->when, 0);		/* zeroed again */
	assert_string_equal(a->name, "first");	/* its neighbours untouched */
	assert_string_equal(c->name, "third");
	assert_int_equal(s.bytes, bytes);	/* no new chunk */
	slab_free(&s, a);
	slab_free(&s, c);
	assert_ptr_equal(slab_alloc(&s), c);	/* last freed, first reused */
	assert_ptr_equal(slab_alloc(&s), a);
	assert_int_equal(s.live, 3);
	slab_destroy(&s);
}

/* test_small_objects - an object smaller than a pointer still holds the free list's link */
static void test_small_objects(void **state)
{
	struct slab s;
	char *p[3];
	int i;

	(void)state;
	slab_init(&s, 1, 0);
	assert_true(s.size >= sizeof(void *));
	for (i = 0; i < 3; i++)
		assert_non_null(p[i] = slab_alloc(&s));
	slab_free(&s, p[1]);
	slab_free(&s, p[0]);
	assert_ptr_equal(slab_alloc(&s), p[0]);
	assert_ptr_equal(slab_alloc(&s), p[1]);
	slab_destroy(&s);
	slab_destroy(&s);	/* destroying an empty slab is harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zeroed_and_aligned),
		cmocka_unit_test(test_free_then_reuse),
		cmocka_unit_test(test_small_objects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
