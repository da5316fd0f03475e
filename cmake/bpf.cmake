# SPDX-License-Identifier: GPL-2.0-only
# Compiling BPF programs: one function for the agent's built-ins, test objects and bench harnesses.
find_program(BPF_CLANG clang REQUIRED)
find_program(BPFTOOL bpftool PATHS /usr/sbin /sbin REQUIRED)

set(XDPFLEET_BPF_CFLAGS -target bpf -O2 -g -Wall -Werror
  -I${CMAKE_SOURCE_DIR}/bpf
  -I/usr/include/${CMAKE_LIBRARY_ARCHITECTURE})
# Every object rebuilds when a shared BPF header changes (the filter includes the engine).
file(GLOB XDPFLEET_BPF_HEADERS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/bpf/*.bpf.h
  ${CMAKE_SOURCE_DIR}/bpf/xdpfleet_abi.h)

# xdpfleet_bpf_object(OUT SRC OUTDIR [SKELETON NAME]): compiles SRC (a .bpf.c) into
# OUTDIR/<basename>.bpf.o and, with SKELETON, generates OUTDIR/NAME.skel.h; appends what it
# made (the skeleton, or the object) to the list OUT.
function(xdpfleet_bpf_object OUT SRC OUTDIR)
  cmake_parse_arguments(ARG "" "SKELETON" "" ${ARGN})
  get_filename_component(base "${SRC}" NAME)
  string(REGEX REPLACE "\\.bpf\\.c$" "" base "${base}")
  set(obj "${OUTDIR}/${base}.bpf.o")
  file(RELATIVE_PATH rel "${CMAKE_SOURCE_DIR}" "${SRC}")
  add_custom_command(
    OUTPUT "${obj}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${OUTDIR}"
    COMMAND ${BPF_CLANG} ${XDPFLEET_BPF_CFLAGS} -c "${SRC}" -o "${obj}"
    DEPENDS "${SRC}" ${XDPFLEET_BPF_HEADERS}
    COMMENT "clang -target bpf ${rel}"
    VERBATIM)
  set(made "${obj}")
  if(ARG_SKELETON)
    set(made "${OUTDIR}/${ARG_SKELETON}.skel.h")
    add_custom_command(
      OUTPUT "${made}"
      COMMAND ${BPFTOOL} gen skeleton "${obj}" name ${ARG_SKELETON} > "${made}"
      DEPENDS "${obj}"
      COMMENT "bpftool gen skeleton ${ARG_SKELETON}"
      VERBATIM)
  endif()
  set(${OUT} ${${OUT}} "${made}" PARENT_SCOPE)
endfunction()
