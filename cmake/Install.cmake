# Install rules: `cmake --install <build dir> [--prefix /usr]` lays out KV Scope
# as a Linux desktop application. Included at the end of the top-level
# CMakeLists.txt, after every target is defined.
#
#   bin/kvscope, bin/kvscope-cli                      (whichever are built)
#   share/applications/org.kvscope.KVScope.desktop
#   share/metainfo/org.kvscope.KVScope.metainfo.xml
#   share/icons/hicolor/scalable/apps/org.kvscope.KVScope.svg
#   share/icons/hicolor/<N>x<N>/apps/org.kvscope.KVScope.png   N = 16 .. 512
#   share/man/man1/kvscope-cli.1(.gz)
#   share/kvscope/presets/*.json
#   share/doc/kvscope/copyright                      (the LICENSE, as Debian names it)
#   share/doc/kvscope/guide.md, guide-*.png, screenshot.png  (the user guide and the images it shows)

if(KVSCOPE_CORE_ONLY)
    return()
endif()

include(GNUInstallDirs)

# One name for the desktop entry, the metainfo and the icon (AppStream's rule).
set(KVSCOPE_APP_ID org.kvscope.KVScope)
set(_res ${PROJECT_SOURCE_DIR}/resources)

# The window is written alongside the CLI: install what exists.
foreach(_exe IN ITEMS kvscope kvscope-cli)
    if(TARGET ${_exe})
        install(TARGETS ${_exe} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
    endif()
endforeach()

install(FILES ${_res}/${KVSCOPE_APP_ID}.desktop
        DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${_res}/${KVSCOPE_APP_ID}.metainfo.xml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)

# The SVG is the source; the PNGs are rendered from it by
# resources/icons/render-png.sh and committed.
install(FILES ${_res}/icons/kvscope.svg
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps
        RENAME ${KVSCOPE_APP_ID}.svg)
install(DIRECTORY ${_res}/icons/hicolor/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor
        FILES_MATCHING PATTERN "${KVSCOPE_APP_ID}.png")

# The man page, compressed as Debian's policy wants when gzip is at hand.
set(_man_src ${PROJECT_SOURCE_DIR}/docs/kvscope-cli.1)
find_program(KVSCOPE_GZIP gzip)
if(KVSCOPE_GZIP)
    set(_man_out ${PROJECT_BINARY_DIR}/man/kvscope-cli.1.gz)
    add_custom_command(
        OUTPUT ${_man_out}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
        COMMAND ${KVSCOPE_GZIP} -9 -n -c ${_man_src} > ${_man_out}
        DEPENDS ${_man_src}
        COMMENT "Compressing the kvscope-cli man page"
        VERBATIM)
    add_custom_target(kvscope_manpage ALL DEPENDS ${_man_out})
else()
    set(_man_out ${_man_src})
endif()
install(FILES ${_man_out} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# The license, where Debian keeps every package's.
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE
        DESTINATION ${CMAKE_INSTALL_DOCDIR}
        RENAME copyright)

# The user guide and its screenshots.
file(GLOB _guide_images CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/guide-*.png
     ${PROJECT_SOURCE_DIR}/docs/screenshot.png)
install(FILES ${PROJECT_SOURCE_DIR}/docs/guide.md ${_guide_images}
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# Built-in model presets, when the tree has them.
install(DIRECTORY ${_res}/presets/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/kvscope/presets
        OPTIONAL
        FILES_MATCHING PATTERN "*.json")
