#pragma once

#include <QFrame>
#include <QList>

class ConfigModel;
class QGridLayout;
class QLabel;

// The answer above the charts, in a few large figures: the MHA and GQA totals
// and the savings; a loaded model's own total first; with a GPU, the largest
// context and batch that fit. The numbers panel below the controls has every
// row; this strip is what must be on screen without scrolling.
class ResultsStrip : public QFrame {
    Q_OBJECT
public:
    explicit ResultsStrip(ConfigModel *model, QWidget *parent = nullptr);
    ~ResultsStrip() override;

    // Each visible tile as "caption: value", in reading order (tests, accessibility).
    QStringList displayedTiles() const;

public Q_SLOTS:
    void refresh();

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    // As tall as the wrapped captions need at this width: a size hint alone
    // counts each caption as one line, and a long model name was cut.
    void fitHeight();
    struct Tile {
        QWidget *box;
        QLabel *caption;
        QLabel *value;
    };
    Tile addTile(const QString &objectName);
    void show(const Tile &tile, const QString &caption, const QString &value, const QString &toolTip = {});
    void relayout();

    ConfigModel *m_model;
    QGridLayout *m_grid;
    QLabel *m_error;
    QList<Tile> m_tiles;
    QList<bool> m_shownTiles;  // which tiles this refresh shows
    QList<bool> m_gridTiles;   // which tiles the grid holds now
    Tile m_modelTotal;
    Tile m_mhaTotal;
    Tile m_gqaTotal;
    Tile m_savings;
    Tile m_maxContext;
    Tile m_maxBatch;
};
