# The Debian package: from the build folder,
#
#   cmake --build <build dir> --target package     (or: cd <build dir> && cpack -G DEB)
#
# writes kvscope_<version>_<arch>.deb there. Its library dependencies are
# computed by dpkg-shlibdeps (package dpkg-dev; CPack also needs `file`), so
# apt pulls in exactly the Qt libraries the binaries link.

if(KVSCOPE_CORE_ONLY)
    return()
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME kvscope)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "KV Scope developers")
set(CPACK_PACKAGE_CONTACT "KV Scope developers <dev@kvscope.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "LLM KV-cache memory explorer (MHA, GQA, MQA)")
set(CPACK_PACKAGE_HOMEPAGE_URL ${PROJECT_HOMEPAGE_URL})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "KV Scope developers <dev@kvscope.invalid>")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The long description; CPack puts the summary above it and indents it.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"KV Scope shows how much memory a large language model's key-value cache \
takes, and how much grouped-query attention saves over multi-head \
attention, while you drag sliders for the model shape and the workload. \
The kvscope window draws live charts and exports them as PDF, SVG, PNG, \
EPS and CSV; kvscope-cli prints the same numbers and writes the same \
figures on the command line.")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# What dpkg-shlibdeps cannot see because nothing links it:
#  - fonts-dejavu-core: text in the window and the one font of every exported
#    figure (fontconfig alone ships no font);
#  - libqt6svg6: its iconengines/imageformats plugins draw the SVG icon.
# The xcb and offscreen platform plugins are part of libqt6gui6 on Debian 12,
# which shlibdeps adds through the Qt libraries the binaries link.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "fonts-dejavu-core, libqt6svg6")

include(CPack)
