# SPDX-License-Identifier: GPL-2.0-only
# Man pages xdpfleetd(8) and xdpfleet(1), made by help2man from the built programs' own --help
# and --version (plus docs/man/*.h2m for the other sections), so they never drift from the flags.
option(XDPFLEET_MANPAGES "Generate and install the man pages (needs help2man)" ON)
if(NOT XDPFLEET_MANPAGES)
  return()
endif()
find_program(HELP2MAN help2man)
find_program(GZIP gzip REQUIRED)
find_program(BASH_PROGRAM bash REQUIRED)
if(NOT HELP2MAN)
  message(FATAL_ERROR "help2man not found: install it (apt-get install help2man, or bash .ci/setup) "
                      "or configure with -DXDPFLEET_MANPAGES=OFF")
endif()

set(XDPFLEET_MAN_DIR "${CMAKE_BINARY_DIR}/man")
set(man_src "${CMAKE_SOURCE_DIR}/docs/man")
# Sanitizer builds run the programs here too: a leak report at exit must not fail the build.
set(man_env ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0)

add_custom_command(
  OUTPUT "${XDPFLEET_MAN_DIR}/xdpfleetd.8.gz"
  COMMAND ${CMAKE_COMMAND} -E make_directory "${XDPFLEET_MAN_DIR}"
  COMMAND ${man_env} ${HELP2MAN} --no-info --section 8
          --name "the xdpfleet agent: XDP programs, drop rules and counters over gRPC"
          --include "${man_src}/xdpfleetd.h2m"
          --output "${XDPFLEET_MAN_DIR}/xdpfleetd.8" $<TARGET_FILE:xdpfleetd>
  COMMAND ${GZIP} -9nf "${XDPFLEET_MAN_DIR}/xdpfleetd.8"
  DEPENDS xdpfleetd "${man_src}/xdpfleetd.h2m"
  COMMENT "help2man xdpfleetd.8"
  VERBATIM)

add_custom_command(
  OUTPUT "${XDPFLEET_MAN_DIR}/xdpfleet.1.gz"
  COMMAND ${CMAKE_COMMAND} -E make_directory "${XDPFLEET_MAN_DIR}"
  COMMAND ${man_env} ${BASH_PROGRAM} "${man_src}/commands.sh" $<TARGET_FILE:xdpfleet>
          "${XDPFLEET_MAN_DIR}/xdpfleet-commands.h2m"
  COMMAND ${man_env} ${HELP2MAN} --no-info --section 1
          --name "drive xdpfleetd agents on many hosts at once"
          --include "${man_src}/xdpfleet.h2m"
          --include "${XDPFLEET_MAN_DIR}/xdpfleet-commands.h2m"
          --output "${XDPFLEET_MAN_DIR}/xdpfleet.1" $<TARGET_FILE:xdpfleet>
  COMMAND ${GZIP} -9nf "${XDPFLEET_MAN_DIR}/xdpfleet.1"
  DEPENDS xdpfleet "${man_src}/xdpfleet.h2m" "${man_src}/commands.sh"
  COMMENT "help2man xdpfleet.1"
  VERBATIM)

add_custom_target(manpages ALL
  DEPENDS "${XDPFLEET_MAN_DIR}/xdpfleetd.8.gz" "${XDPFLEET_MAN_DIR}/xdpfleet.1.gz")
install(FILES "${XDPFLEET_MAN_DIR}/xdpfleetd.8.gz" DESTINATION "${CMAKE_INSTALL_MANDIR}/man8")
install(FILES "${XDPFLEET_MAN_DIR}/xdpfleet.1.gz" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
