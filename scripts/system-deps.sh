#!/usr/bin/env bash
# System libraries that pip cannot install: pango (WeasyPrint), Debian's chromium (browser
# tests) and LibreOffice without its GUI (the tests open our XLSX exports with it, the PDF quote
# corpus generators turn .docx/.odt/.xlsx quotes into PDFs with it). Installed with apt-get when missing and we are root; otherwise a clear message.
set -u
missing=()
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/soffice ] || missing+=(libreoffice-calc-nogui libreoffice-writer-nogui)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installation des paquets système manquants : ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null \
        || { echo "Échec de l'installation de ${missing[*]} (apt-get)." >&2; exit 1; }
else
    echo "Paquets système manquants : ${missing[*]}." >&2
    echo "Installez-les (Debian/Ubuntu : sudo apt-get install ${missing[*]}) puis relancez." >&2
    exit 1
fi
