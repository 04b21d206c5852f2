/* testutil - what every cmocka unit test includes
 *
 * cmocka needs these system headers before its own. Tests run from the
 * repository top (make check), so data files are named relative to it.
 */
#ifndef MQMON_TESTUTIL_H
#define MQMON_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#endif
