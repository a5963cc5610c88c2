#pragma once

#include <QList>
#include <QWidget>
#include <cstdint>
#include <vector>

class QComboBox;
class QSlider;

// Chooses n_kv_groups among the valid counts only (the divisors of n_heads):
// a slider over those counts and a combo box naming each with the K/V heads
// it leaves ("4 → 6 K/V heads"), MHA and MQA named at the ends. It can never
// show a count that does not divide n_heads.
class GroupSelector : public QWidget {
    Q_OBJECT
public:
    explicit GroupSelector(QWidget *parent = nullptr);
    ~GroupSelector() override;

    // Offers `validCounts` (ascending divisors of nHeads) and keeps the
    // current choice, or the nearest valid count to it. Silent.
    void setOptions(const std::vector<std::uint32_t> &validCounts, int nHeads);
    // Selects `groups`, or the nearest offered count. Silent.
    void setGroups(int groups);

    int groups() const;
    QList<int> offeredGroups() const;
    static QString labelFor(int groups, int nHeads);

    QSlider *slider() const { return m_slider; }
    QComboBox *comboBox() const { return m_comboBox; }

    void setToolTip(const QString &text);

Q_SIGNALS:
    void groupsChosen(int groups);

protected:
    // Narrow (a small screen's control panel), the combo box goes under the
    // slider so the slider keeps a usable length.
    void resizeEvent(QResizeEvent *event) override;

private:
    static constexpr int kMinSliderWidth = 80;
    void selectIndex(int index);
    int nearestIndex(int groups) const;

    QSlider *m_slider;
    QComboBox *m_comboBox;
    int m_nHeads = 0;
};
