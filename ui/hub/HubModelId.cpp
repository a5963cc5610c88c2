#include "HubModelId.h"

#include <QLatin1StringView>
#include <QRegularExpression>

using kvscope::InputError;
using namespace Qt::StringLiterals;

bool HubModelId::looksLikeHubId(const QString &value) {
    return value.contains(u'/');
}

kvscope::Result<HubModelId> HubModelId::parse(const QString &value) {
    const qsizetype at = value.indexOf(u'@');
    HubModelId id{at < 0 ? value : value.left(at), at < 0 ? QString::fromLatin1(kDefaultRevision) : value.mid(at + 1)};
    // The Hub's repository names (huggingface_hub validate_repo_id): letters,
    // digits, '-', '_', '.'; no "--" or ".." (the cache's separator), at most 96 characters.
    static const QRegularExpression kRepo(u"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$"_s);
    if (id.repo.size() > 96 || !kRepo.match(id.repo).hasMatch() || id.repo.contains(u"--"_s) ||
        id.repo.contains(u".."_s) || id.repo.endsWith(u'.')) {
        return InputError{"model", "\"" + value.toStdString() +
                                       "\" is not a Hugging Face model id: use ORG/NAME or ORG/NAME@REVISION "
                                       "(letters, digits, '-', '_' and '.')"};
    }
    // A revision is a branch, tag or commit; it becomes a file under refs/, so
    // nothing that climbs out of it.
    static const QRegularExpression kRevision(u"^[A-Za-z0-9_.][A-Za-z0-9_./-]*$"_s);
    if (id.revision.isEmpty() || id.revision.size() > 256 || !kRevision.match(id.revision).hasMatch() ||
        id.revision.contains(u".."_s) || id.revision.contains(u"//"_s) || id.revision.endsWith(u'/')) {
        return InputError{"model", "\"" + value.toStdString() + "\": the revision after '@' is not a branch, tag or commit name"};
    }
    return id;
}

bool HubModelId::revisionIsCommit() const {
    static const QRegularExpression kCommit(u"^[0-9a-f]{40}$"_s);
    return kCommit.match(revision).hasMatch();
}

QString HubModelId::display() const {
    // An id that did not parse has no revision: shown as it was given.
    if (revision.isEmpty() || revision == QLatin1StringView(kDefaultRevision)) return repo;
    return repo + u'@' + revision;
}
