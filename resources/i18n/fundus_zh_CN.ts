<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../fundus_app/gui/dialogs.py" line="44"/>
        <source>not loaded yet</source>
        <translation>尚未加载</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/dialogs.py" line="45"/>
        <source>Fundus Vessel Workstation</source>
        <translation>眼底血管工作站</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/dialogs.py" line="46"/>
        <source>Segments the retinal vessels of fundus photographs and measures them. Every result must be reviewed by a qualified person; the software does not detect or rule out any disease.</source>
        <translation>本软件分割眼底照片中的视网膜血管并进行测量。所有结果必须由具备资质的人员审阅；本软件不能检出或排除任何疾病。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/dialogs.py" line="49"/>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/dialogs.py" line="50"/>
        <source>The vessel model was developed with these public datasets, which we gratefully acknowledge:</source>
        <translation>血管模型基于以下公开数据集开发，特此致谢：</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/dialogs.py" line="60"/>
        <source>About Fundus Vessel Workstation</source>
        <translation>关于眼底血管工作站</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <location filename="../../fundus_app/gui/app.py" line="70"/>
        <source>An unexpected error occurred (%1). Please report it; details were written to the log in %2.</source>
        <translation>发生意外错误（%1）。请报告此问题；详细信息已写入日志目录 %2。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/app.py" line="72"/>
        <source>Fundus Vessel Workstation</source>
        <translation>眼底血管工作站</translation>
    </message>
</context>
<context>
    <name>BiomarkerPanel</name>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="191"/>
        <source>Vessel density</source>
        <translation>血管密度</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="191"/>
        <source>Vessel pixels as a share of the field of view</source>
        <translation>血管像素占视野区域的比例</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="193"/>
        <source>Fractal dimension</source>
        <translation>分形维数</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="193"/>
        <source>Box-counting dimension of the vessel map</source>
        <translation>血管图的盒计数维数</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="195"/>
        <source>Fractal fit R²</source>
        <translation>分形拟合 R²</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="195"/>
        <source>How well a power law fits the box counts (1 = perfectly)</source>
        <translation>幂律对盒计数的拟合优度（1 = 完全拟合）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="293"/>
        <source>Biomarkers</source>
        <translation>生物标志物</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="302"/>
        <source>Open an image to see its vessel measures.</source>
        <translation>打开图像以查看其血管测量值。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="304"/>
        <source>At threshold %1 (updating...)</source>
        <translation>阈值 %1（更新中…）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="307"/>
        <source>At threshold %1, inside the field of view</source>
        <translation>阈值 %1，视野区域内</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="198"/>
        <source>Vessel length density (1/D)</source>
        <translation>血管长度密度（1/D）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="198"/>
        <source>Centre-line length per field-of-view area; D is the diameter of the field of view</source>
        <translation>单位视野面积内的血管中心线长度；D 为视野直径</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="201"/>
        <source>Centre-line length (px)</source>
        <translation>中心线长度（像素）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="201"/>
        <source>Length of the vessel centre lines in image pixels</source>
        <translation>血管中心线的总长度（图像像素）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="204"/>
        <source>Tortuosity</source>
        <translation>迂曲度</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="204"/>
        <source>Mean arc-to-chord ratio of the vessel segments (1 = straight)</source>
        <translation>各血管段弧长与弦长之比的均值（1 = 笔直）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="207"/>
        <source>Segments measured</source>
        <translation>测量的血管段数</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="207"/>
        <source>Number of vessel segments the tortuosity averages</source>
        <translation>迂曲度所平均的血管段数量</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="210"/>
        <source>Branch points</source>
        <translation>分支点</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="210"/>
        <source>Junctions of the vessel centre lines</source>
        <translation>血管中心线的交汇点</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="212"/>
        <source>Branch point density (1/D²)</source>
        <translation>分支点密度（1/D²）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="212"/>
        <source>Branch points per field-of-view area; D is the diameter of the field of view</source>
        <translation>单位视野面积内的分支点数；D 为视野直径</translation>
    </message>
</context>
<context>
    <name>ImageInfoPanel</name>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="332"/>
        <source>Image</source>
        <translation>图像</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="334"/>
        <source>No image</source>
        <translation>无图像</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="338"/>
        <source>%1 x %2 pixels, %3</source>
        <translation>%1 × %2 像素，%3</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="341"/>
        <source>Patient: %1 (ID %2)</source>
        <translation>患者：%1（ID %2）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="344"/>
        <source>Eye: %1</source>
        <translation>眼别：%1</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="346"/>
        <source>Study date: %1</source>
        <translation>检查日期：%1</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="351"/>
        <source>Refined with dense CRF</source>
        <translation>已用密集 CRF 优化</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="348"/>
        <source>Segmented at %1x (FOV %2 px)</source>
        <translation>分割尺度 %1×（视野 %2 px）</translation>
    </message>
</context>
<context>
    <name>InferenceWorker</name>
    <message>
        <location filename="../../fundus_app/gui/worker.py" line="210"/>
        <source>The model could not be loaded (%1).</source>
        <translation>无法加载模型（%1）。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/worker.py" line="275"/>
        <source>There is not enough memory to process &apos;%1&apos;.</source>
        <translation>内存不足，无法处理“%1”。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/worker.py" line="279"/>
        <source>&apos;%1&apos; could not be processed because of an unexpected internal error (%2); please report it.</source>
        <translation>由于意外的内部错误（%2），无法处理“%1”；请报告此问题。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../fundus_app/gui/dialogs.py" line="36"/>
        <source>For research and review support; not a diagnosis.</source>
        <translation>仅供科研与阅片辅助，不构成诊断。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="393"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="394"/>
        <source>&amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="395"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="396"/>
        <source>&amp;Settings</source>
        <translation>设置(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="397"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="398"/>
        <source>&amp;Device</source>
        <translation>计算设备(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="399"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="401"/>
        <source>&amp;Open...</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="507"/>
        <source>Open fundus images</source>
        <translation>打开眼底图像</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="402"/>
        <source>Open &amp;folder...</source>
        <translation>打开文件夹(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="402"/>
        <source>Queue all images of a folder for review</source>
        <translation>将文件夹中的所有图像加入阅片队列</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="404"/>
        <source>Export &amp;CSV...</source>
        <translation>导出 CSV(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="404"/>
        <source>Save the biomarkers of all processed images as CSV</source>
        <translation>将所有已处理图像的生物标志物保存为 CSV</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="406"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="407"/>
        <source>Zoom &amp;in</source>
        <translation>放大(&amp;I)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="408"/>
        <source>Zoom &amp;out</source>
        <translation>缩小(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="409"/>
        <source>&amp;Fit to window</source>
        <translation>适应窗口(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="410"/>
        <source>&amp;Actual pixels (1:1)</source>
        <translation>实际像素 1:1(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="411"/>
        <source>Show &amp;overlay</source>
        <translation>显示叠加(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="411"/>
        <source>Show the vessel overlay on the right pane (V)</source>
        <translation>在右侧窗格显示血管叠加（V）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="413"/>
        <source>Show CLAHE-&amp;enhanced original</source>
        <translation>显示 CLAHE 增强原图(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="413"/>
        <source>Show the contrast-enhanced green channel on the left (E)</source>
        <translation>在左侧窗格显示对比度增强的绿色通道（E）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="415"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="415"/>
        <source>Stop processing (the current and all waiting images)</source>
        <translation>停止处理（当前及所有等待中的图像）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="417"/>
        <source>Overlay &amp;colour...</source>
        <translation>叠加颜色(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="418"/>
        <source>Use current threshold as &amp;default</source>
        <translation>将当前阈值设为默认值(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="418"/>
        <source>Start new images at this threshold (for this model)</source>
        <translation>新图像以此阈值开始（仅限当前模型）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="420"/>
        <source>&amp;Reset to the model&apos;s threshold</source>
        <translation>恢复模型默认阈值(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="421"/>
        <source>&amp;About...</source>
        <translation>关于(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="422"/>
        <source>Clear list</source>
        <translation>清空列表</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="428"/>
        <source>Export &amp;PDF report...</source>
        <translation>导出 PDF 报告(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="431"/>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="434"/>
        <source>Automatic (GPU when available)</source>
        <translation>自动（有 GPU 时使用 GPU）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="435"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="436"/>
        <source>GPU (CUDA)</source>
        <translation>GPU（CUDA）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="437"/>
        <source>Review</source>
        <translation>阅片</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="439"/>
        <source>Toolbar</source>
        <translation>工具栏</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="446"/>
        <source>Fundus Vessel Workstation</source>
        <translation>眼底血管工作站</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="452"/>
        <source>CLAHE-enhanced (green channel)</source>
        <translation>CLAHE 增强（绿色通道）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="452"/>
        <source>Original</source>
        <translation>原图</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="454"/>
        <source>Vessel overlay</source>
        <translation>血管叠加</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="454"/>
        <source>Original (overlay hidden)</source>
        <translation>原图（已隐藏叠加）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="461"/>
        <source>Drop fundus images or folders here,
or use File ▸ Open...</source>
        <translation>将眼底图像或文件夹拖放到此处，
或使用 文件 ▸ 打开…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="466"/>
        <source>Could not process %1:
%2</source>
        <translation>无法处理 %1：
%2</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="468"/>
        <source>Processing of %1 was cancelled. Select it again to retry.</source>
        <translation>%1 的处理已取消。再次选择即可重试。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="470"/>
        <source>Processing %1...</source>
        <translation>正在处理 %1…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="484"/>
        <source>Device: %1</source>
        <translation>设备：%1</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="477"/>
        <source>Model: %1</source>
        <translation>模型：%1</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="481"/>
        <source>Model: unavailable</source>
        <translation>模型：不可用</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="485"/>
        <source>Model: loading...</source>
        <translation>模型：加载中…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="488"/>
        <source>Inference: %1 s</source>
        <translation>推理：%1 秒</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="490"/>
        <source>Inference: –</source>
        <translation>推理：–</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="493"/>
        <source>Zoom %1</source>
        <translation>缩放 %1</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="507"/>
        <source>Fundus images (%1);;All files (*)</source>
        <translation>眼底图像 (%1);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="514"/>
        <source>Open a folder of fundus images</source>
        <translation>打开眼底图像文件夹</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="533"/>
        <source>No images found</source>
        <translation>未找到图像</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="533"/>
        <source>The folder contains no supported image files (DICOM, PNG, JPEG, TIFF, BMP, GIF, PNM).</source>
        <translation>该文件夹中没有支持的图像文件（DICOM、PNG、JPEG、TIFF、BMP、GIF、PNM）。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="627"/>
        <source>loading</source>
        <translation>正在读取</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="628"/>
        <source>loading the model</source>
        <translation>正在加载模型</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="629"/>
        <source>preprocessing</source>
        <translation>预处理</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="630"/>
        <source>segmenting vessels</source>
        <translation>正在分割血管</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="631"/>
        <source>dense CRF</source>
        <translation>密集 CRF</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="632"/>
        <source>finishing</source>
        <translation>收尾</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="633"/>
        <source>preparing the display</source>
        <translation>准备显示</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="634"/>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="636"/>
        <source>%1: %2...</source>
        <translation>%1：%2…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="667"/>
        <source>%1: done in %2 s</source>
        <translation>%1：完成，用时 %2 秒</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="687"/>
        <source>Cannot process image</source>
        <translation>无法处理图像</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="734"/>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="940"/>
        <source>New images start at threshold %1</source>
        <translation>新图像将以阈值 %1 开始</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="946"/>
        <source>Device %1 applies from the next image</source>
        <translation>设备 %1 将从下一张图像起生效</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="962"/>
        <source>Not found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="962"/>
        <source>%1 no longer exists; it was removed from the list.</source>
        <translation>%1 已不存在，已从列表中移除。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="979"/>
        <source>Nothing to export</source>
        <translation>没有可导出的内容</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="979"/>
        <source>No image has been processed yet.</source>
        <translation>尚未处理任何图像。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="982"/>
        <source>Export biomarkers as CSV</source>
        <translation>将生物标志物导出为 CSV</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="982"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="1105"/>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="1001"/>
        <source>Saved the biomarkers of %1 images to %2</source>
        <translation>已将 %1 张图像的生物标志物保存到 %2</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="1047"/>
        <source>Write a PDF report of the image on screen</source>
        <translation>为当前图像生成 PDF 报告</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="1050"/>
        <source>Checking the report module...</source>
        <translation>正在检查报告模块…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="1053"/>
        <source>PDF reports are not available in this installation (%1)</source>
        <translation>此安装版本无法生成 PDF 报告（%1）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="1058"/>
        <source>No image</source>
        <translation>无图像</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="1058"/>
        <source>Open an image and wait for its result before exporting a report.</source>
        <translation>请先打开图像并等待结果，然后再导出报告。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="1068"/>
        <source>Export PDF report</source>
        <translation>导出 PDF 报告</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="1068"/>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="1077"/>
        <source>Replace file?</source>
        <translation>替换文件？</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="1077"/>
        <source>%1 already exists. Replace it?</source>
        <translation>%1 已存在。是否替换？</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="1099"/>
        <source>Report saved to %1</source>
        <translation>报告已保存到 %1</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="1108"/>
        <source>Writing the report...</source>
        <translation>正在生成报告…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="687"/>
        <source>%1 could not be processed.</source>
        <translation>无法处理 %1。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="998"/>
        <source>The CSV file could not be written.</source>
        <translation>无法写入 CSV 文件。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="1105"/>
        <source>The PDF report could not be written.</source>
        <translation>无法写入 PDF 报告。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="438"/>
        <source>Review list</source>
        <translation>阅片列表</translation>
    </message>
</context>
<context>
    <name>OverlayControls</name>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="157"/>
        <source>off</source>
        <translation>关</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="161"/>
        <source>Back to the model&apos;s default threshold (%1)</source>
        <translation>恢复模型默认阈值（%1）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="165"/>
        <source>Vessel overlay colour</source>
        <translation>血管叠加颜色</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="171"/>
        <source>Vessel overlay</source>
        <translation>血管叠加</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="172"/>
        <source>Threshold</source>
        <translation>阈值</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="173"/>
        <source>Probability above which a pixel counts as vessel. Redraws instantly; the network is not run again.</source>
        <translation>概率高于此值的像素计为血管。立即重绘，无需重新运行网络。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="175"/>
        <source>Edges</source>
        <translation>边缘</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="176"/>
        <source>Strength of the vessel boundary line drawn over the overlay (0 = off)</source>
        <translation>叠加上血管边界线的强度（0 = 关闭）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="178"/>
        <source>Opacity</source>
        <translation>不透明度</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="179"/>
        <source>Opacity of the vessel colour over the image</source>
        <translation>血管颜色覆盖在图像上的不透明度</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="180"/>
        <source>Colour</source>
        <translation>颜色</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="181"/>
        <source>Choose...</source>
        <translation>选择…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="182"/>
        <source>Colour of the vessel overlay</source>
        <translation>血管叠加的颜色</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="183"/>
        <source>Dense CRF refinement (slower)</source>
        <translation>密集 CRF 优化（较慢）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="184"/>
        <source>Refine the vessel map with a fully connected CRF; runs the model again</source>
        <translation>用全连接 CRF 优化血管图；将重新运行模型</translation>
    </message>
</context>
<context>
    <name>ReportOptionsDialog</name>
    <message>
        <location filename="../../fundus_app/gui/dialogs.py" line="81"/>
        <source>PDF report</source>
        <translation>PDF 报告</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/dialogs.py" line="88"/>
        <source>Anonymise: leave out patient name and ID</source>
        <translation>匿名化：不包含患者姓名和 ID</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/dialogs.py" line="95"/>
        <source>Clinic</source>
        <translation>机构名称</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/dialogs.py" line="96"/>
        <source>Report language</source>
        <translation>报告语言</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/dialogs.py" line="84"/>
        <source>Name on the first line, then the address (optional; shown in the report header)</source>
        <translation>第一行填写机构名称，其后为地址（可选；显示在报告页眉中）</translation>
    </message>
</context>
<context>
    <name>ReviewList</name>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="385"/>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="386"/>
        <source>processing</source>
        <translation>处理中</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="387"/>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="388"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="389"/>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="477"/>
        <source>Done %1 · failed %2 · waiting %3</source>
        <translation>完成 %1 · 失败 %2 · 等待 %3</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="482"/>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="483"/>
        <source>Remove all images from the list and stop processing them</source>
        <translation>从列表中移除所有图像并停止处理</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="484"/>
        <source>Drop files or folders here; select an image to review it</source>
        <translation>将文件或文件夹拖放到此处；选择图像即可阅片</translation>
    </message>
</context>
</TS>
