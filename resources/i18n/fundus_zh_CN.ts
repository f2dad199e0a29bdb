<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../fundus_app/gui/dialogs.py" line="45"/>
        <source>not loaded yet</source>
        <translation>尚未加载</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/dialogs.py" line="46"/>
        <source>Fundus Vessel Workstation</source>
        <translation>眼底血管工作站</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/dialogs.py" line="47"/>
        <source>Segments the retinal vessels of fundus photographs and measures them. Every result must be reviewed by a qualified person; the software does not detect or rule out any disease.</source>
        <translation>本软件分割眼底照片中的视网膜血管并进行测量。所有结果必须由具备资质的人员审阅；本软件不能检出或排除任何疾病。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/dialogs.py" line="50"/>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/dialogs.py" line="51"/>
        <source>The vessel model was developed with these public datasets, which we gratefully acknowledge:</source>
        <translation>血管模型基于以下公开数据集开发，特此致谢：</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/dialogs.py" line="61"/>
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
    <name>AvView</name>
    <message>
        <location filename="../../fundus_app/gui/av_view.py" line="249"/>
        <source>Artery</source>
        <translation>动脉</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/av_view.py" line="249"/>
        <source>Vein</source>
        <translation>静脉</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/av_view.py" line="250"/>
        <source>%1: %2 µm (%3 px) wide, %4 px long</source>
        <translation>%1：宽 %2 µm（%3 像素），长 %4 像素</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/av_view.py" line="258"/>
        <source>Arteries and veins</source>
        <translation>动脉与静脉</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/av_view.py" line="262"/>
        <source>Arteries (red) and veins (blue)</source>
        <translation>动脉（红）与静脉（蓝）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/av_view.py" line="267"/>
        <source>No artery/vein map for this image:
the A/V model did not run.</source>
        <translation>此图像没有动静脉图：
动静脉模型未运行。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/av_view.py" line="271"/>
        <source>Optic disc not found: no zone rings, no calibre.</source>
        <translation>未找到视盘：无分区环，无管径测量。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/av_view.py" line="273"/>
        <source>No measured vessel segments to show.</source>
        <translation>没有可显示的已测量血管段。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/av_view.py" line="264"/>
        <source>Finding arteries, veins and the optic disc…</source>
        <translation>正在识别动脉、静脉和视盘…</translation>
    </message>
</context>
<context>
    <name>BiomarkerPanel</name>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="264"/>
        <source>Biomarkers</source>
        <translation>生物标志物</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="274"/>
        <source>Open an image to see its vessel measures.</source>
        <translation>打开图像以查看其血管测量值。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="276"/>
        <source>At threshold %1 (updating...)</source>
        <translation>阈值 %1（更新中…）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="279"/>
        <source>At threshold %1, inside the field of view</source>
        <translation>阈值 %1，视野区域内</translation>
    </message>
</context>
<context>
    <name>CalibrePanel</name>
    <message>
        <location filename="../../fundus_app/gui/calibre_panel.py" line="101"/>
        <source>not measurable</source>
        <translation>无法测量</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/calibre_panel.py" line="95"/>
        <source>The calibre could not be measured (%1).</source>
        <translation>无法测量管径（%1）。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/calibre_panel.py" line="101"/>
        <source>Not enough measurable vessels in the zone.</source>
        <translation>该区域内可测量的血管不足。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/calibre_panel.py" line="104"/>
        <source>Arteriole-to-venule ratio, CRAE / CRVE</source>
        <translation>动静脉比，CRAE / CRVE</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/calibre_panel.py" line="107"/>
        <source>%1 vessels measured in the zone (the widest six are used)</source>
        <translation>该区域内测量了 %1 条血管（取最宽的六条）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/calibre_panel.py" line="109"/>
        <source>%1 disc diameters</source>
        <translation>%1 个视盘直径</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/calibre_panel.py" line="119"/>
        <source>Scale: the file&apos;s pixel spacing</source>
        <translation>比例：文件中的像素间距</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/calibre_panel.py" line="121"/>
        <source>Scale: assumed disc diameter of %1 µm</source>
        <translation>比例：假定视盘直径为 %1 µm</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/calibre_panel.py" line="124"/>
        <source>Scale: %1</source>
        <translation>比例：%1</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/calibre_panel.py" line="126"/>
        <source>(%1 µm per pixel)</source>
        <translation>（每像素 %1 µm）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/calibre_panel.py" line="130"/>
        <source>Vessel calibre around the optic disc</source>
        <translation>视盘周围血管管径</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/calibre_panel.py" line="131"/>
        <source>Central retinal artery and vein equivalents (revised Knudtson formulas) of the widest vessels in each zone</source>
        <translation>各区域最宽血管的视网膜中央动脉与静脉等效值（修订 Knudtson 公式）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/calibre_panel.py" line="135"/>
        <source>CRAE (µm)</source>
        <translation>CRAE（µm）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/calibre_panel.py" line="135"/>
        <source>CRVE (µm)</source>
        <translation>CRVE（µm）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/calibre_panel.py" line="136"/>
        <source>AVR</source>
        <translation>AVR</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/calibre_panel.py" line="144"/>
        <source>right</source>
        <translation>右眼</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/calibre_panel.py" line="144"/>
        <source>left</source>
        <translation>左眼</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/calibre_panel.py" line="148"/>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/calibre_panel.py" line="150"/>
        <source>%1 (estimated from the disc position)</source>
        <translation>%1（根据视盘位置估计）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/calibre_panel.py" line="153"/>
        <source>Eye: %1</source>
        <translation>眼别：%1</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/calibre_panel.py" line="133"/>
        <source>Zone B (0.5 to 1 disc diameter from the margin)</source>
        <translation>B 区（距视盘边缘 0.5 至 1 个视盘直径）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/calibre_panel.py" line="134"/>
        <source>Zone C (0.5 to 2 disc diameters from the margin)</source>
        <translation>C 区（距视盘边缘 0.5 至 2 个视盘直径）</translation>
    </message>
</context>
<context>
    <name>ImageInfoPanel</name>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="304"/>
        <source>Image</source>
        <translation>图像</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="306"/>
        <source>No image</source>
        <translation>无图像</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="310"/>
        <source>%1 x %2 pixels, %3</source>
        <translation>%1 × %2 像素，%3</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="313"/>
        <source>Patient: %1 (ID %2)</source>
        <translation>患者：%1（ID %2）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="316"/>
        <source>Eye: %1</source>
        <translation>眼别：%1</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="318"/>
        <source>Study date: %1</source>
        <translation>检查日期：%1</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="323"/>
        <source>Refined with dense CRF</source>
        <translation>已用密集 CRF 优化</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="320"/>
        <source>Segmented at %1x (FOV %2 px)</source>
        <translation>分割尺度 %1×（视野 %2 px）</translation>
    </message>
</context>
<context>
    <name>InferenceWorker</name>
    <message>
        <location filename="../../fundus_app/gui/worker.py" line="140"/>
        <source>The model could not be loaded (%1).</source>
        <translation>无法加载模型（%1）。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/worker.py" line="186"/>
        <source>There is not enough memory to process &apos;%1&apos;.</source>
        <translation>内存不足，无法处理“%1”。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/worker.py" line="190"/>
        <source>&apos;%1&apos; could not be processed because of an unexpected internal error (%2); please report it.</source>
        <translation>由于意外的内部错误（%2），无法处理“%1”；请报告此问题。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../fundus_app/gui/dialogs.py" line="37"/>
        <source>For research and review support; not a diagnosis.</source>
        <translation>仅供科研与阅片辅助，不构成诊断。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="220"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="221"/>
        <source>&amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="222"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="223"/>
        <source>&amp;Settings</source>
        <translation>设置(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="224"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="225"/>
        <source>&amp;Device</source>
        <translation>计算设备(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="226"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="228"/>
        <source>&amp;Open...</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="228"/>
        <source>Open fundus images</source>
        <translation>打开眼底图像</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="229"/>
        <source>Open &amp;folder...</source>
        <translation>打开文件夹(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="229"/>
        <source>Queue all images of a folder for review</source>
        <translation>将文件夹中的所有图像加入阅片队列</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="231"/>
        <source>Export &amp;CSV...</source>
        <translation>导出 CSV(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="231"/>
        <source>Save the biomarkers of all processed images as CSV</source>
        <translation>将所有已处理图像的生物标志物保存为 CSV</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="233"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="234"/>
        <source>Zoom &amp;in</source>
        <translation>放大(&amp;I)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="235"/>
        <source>Zoom &amp;out</source>
        <translation>缩小(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="236"/>
        <source>&amp;Fit to window</source>
        <translation>适应窗口(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="237"/>
        <source>&amp;Actual pixels (1:1)</source>
        <translation>实际像素 1:1(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="238"/>
        <source>Show &amp;overlay</source>
        <translation>显示叠加(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="238"/>
        <source>Show the vessel overlay on the right pane (V)</source>
        <translation>在右侧窗格显示血管叠加（V）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="240"/>
        <source>Show CLAHE-&amp;enhanced original</source>
        <translation>显示 CLAHE 增强原图(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="240"/>
        <source>Show the contrast-enhanced green channel on the left (E)</source>
        <translation>在左侧窗格显示对比度增强的绿色通道（E）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="247"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="247"/>
        <source>Stop processing (the current and all waiting images)</source>
        <translation>停止处理（当前及所有等待中的图像）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="249"/>
        <source>Overlay &amp;colour...</source>
        <translation>叠加颜色(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="250"/>
        <source>Use current threshold as &amp;default</source>
        <translation>将当前阈值设为默认值(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="250"/>
        <source>Start new images at this threshold (for this model)</source>
        <translation>新图像以此阈值开始（仅限当前模型）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="252"/>
        <source>&amp;Reset to the model&apos;s threshold</source>
        <translation>恢复模型默认阈值(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="253"/>
        <source>&amp;About...</source>
        <translation>关于(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="254"/>
        <source>Clear list</source>
        <translation>清空列表</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="260"/>
        <source>Export &amp;PDF report...</source>
        <translation>导出 PDF 报告(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="262"/>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="265"/>
        <source>Automatic (GPU when available)</source>
        <translation>自动（有 GPU 时使用 GPU）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="266"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="267"/>
        <source>GPU (CUDA)</source>
        <translation>GPU（CUDA）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="164"/>
        <source>Review</source>
        <translation>阅片</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="268"/>
        <source>Toolbar</source>
        <translation>工具栏</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="174"/>
        <source>Fundus Vessel Workstation</source>
        <translation>眼底血管工作站</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/display.py" line="205"/>
        <source>CLAHE-enhanced (green channel)</source>
        <translation>CLAHE 增强（绿色通道）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/display.py" line="205"/>
        <source>Original</source>
        <translation>原图</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/display.py" line="210"/>
        <source>Vessel overlay</source>
        <translation>血管叠加</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/display.py" line="210"/>
        <source>Original (overlay hidden)</source>
        <translation>原图（已隐藏叠加）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/display.py" line="219"/>
        <source>Drop fundus images or folders here,
or use File ▸ Open...</source>
        <translation>将眼底图像或文件夹拖放到此处，
或使用 文件 ▸ 打开…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/display.py" line="223"/>
        <source>Could not process %1:
%2</source>
        <translation>无法处理 %1：
%2</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/display.py" line="225"/>
        <source>Processing of %1 was cancelled. Select it again to retry.</source>
        <translation>%1 的处理已取消。再次选择即可重试。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/display.py" line="227"/>
        <source>Processing %1...</source>
        <translation>正在处理 %1…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/display.py" line="208"/>
        <source>Segmenting the vessels...</source>
        <translation>正在分割血管…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/status.py" line="137"/>
        <source>Device: %1</source>
        <translation>设备：%1</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/status.py" line="134"/>
        <source>Model: %1</source>
        <translation>模型：%1</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/status.py" line="139"/>
        <source>Model: unavailable</source>
        <translation>模型：不可用</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/status.py" line="142"/>
        <source>Model: loading...</source>
        <translation>模型：加载中…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/status.py" line="146"/>
        <source>Inference: %1 s</source>
        <translation>推理：%1 秒</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/status.py" line="148"/>
        <source>Inference: –</source>
        <translation>推理：–</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/status.py" line="123"/>
        <source>Zoom %1</source>
        <translation>缩放 %1</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="168"/>
        <source>Fundus images (%1);;All files (*)</source>
        <translation>眼底图像 (%1);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="176"/>
        <source>Open a folder of fundus images</source>
        <translation>打开眼底图像文件夹</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="187"/>
        <source>No images found</source>
        <translation>未找到图像</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="187"/>
        <source>The folder contains no supported image files (DICOM, PNG, JPEG, TIFF, BMP, GIF, PNM).</source>
        <translation>该文件夹中没有支持的图像文件（DICOM、PNG、JPEG、TIFF、BMP、GIF、PNM）。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/status.py" line="23"/>
        <source>loading</source>
        <translation>正在读取</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/status.py" line="24"/>
        <source>loading the model</source>
        <translation>正在加载模型</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/status.py" line="25"/>
        <source>preprocessing</source>
        <translation>预处理</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/status.py" line="26"/>
        <source>segmenting vessels</source>
        <translation>正在分割血管</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/status.py" line="27"/>
        <source>dense CRF</source>
        <translation>密集 CRF</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/status.py" line="28"/>
        <source>finishing</source>
        <translation>收尾</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/status.py" line="29"/>
        <source>preparing the display</source>
        <translation>准备显示</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/status.py" line="30"/>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/status.py" line="98"/>
        <source>%1: %2...</source>
        <translation>%1：%2…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/review_queue.py" line="250"/>
        <source>%1: done in %2 s</source>
        <translation>%1：完成，用时 %2 秒</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="239"/>
        <source>Cannot process image</source>
        <translation>无法处理图像</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/review_queue.py" line="158"/>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="270"/>
        <source>New images start at threshold %1</source>
        <translation>新图像将以阈值 %1 开始</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="277"/>
        <source>Device %1 applies from the next image</source>
        <translation>设备 %1 将从下一张图像起生效</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="203"/>
        <source>Not found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="203"/>
        <source>%1 no longer exists; it was removed from the list.</source>
        <translation>%1 已不存在，已从列表中移除。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/exports.py" line="55"/>
        <source>Nothing to export</source>
        <translation>没有可导出的内容</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/exports.py" line="55"/>
        <source>No image has been processed yet.</source>
        <translation>尚未处理任何图像。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/exports.py" line="58"/>
        <source>Export biomarkers as CSV</source>
        <translation>将生物标志物导出为 CSV</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/exports.py" line="58"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/exports.py" line="172"/>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/exports.py" line="81"/>
        <source>Saved the biomarkers of %1 images to %2</source>
        <translation>已将 %1 张图像的生物标志物保存到 %2</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/exports.py" line="112"/>
        <source>Write a PDF report of the image on screen</source>
        <translation>为当前图像生成 PDF 报告</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/exports.py" line="114"/>
        <source>Checking the report module...</source>
        <translation>正在检查报告模块…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/exports.py" line="116"/>
        <source>PDF reports are not available in this installation (%1)</source>
        <translation>此安装版本无法生成 PDF 报告（%1）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/exports.py" line="124"/>
        <source>No image</source>
        <translation>无图像</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/exports.py" line="123"/>
        <source>Open an image and wait for its result before exporting a report.</source>
        <translation>请先打开图像并等待结果，然后再导出报告。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/exports.py" line="133"/>
        <source>Export PDF report</source>
        <translation>导出 PDF 报告</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/exports.py" line="133"/>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/exports.py" line="142"/>
        <source>Replace file?</source>
        <translation>替换文件？</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/exports.py" line="142"/>
        <source>%1 already exists. Replace it?</source>
        <translation>%1 已存在。是否替换？</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/exports.py" line="165"/>
        <source>Report saved to %1</source>
        <translation>报告已保存到 %1</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/exports.py" line="175"/>
        <source>Writing the report...</source>
        <translation>正在生成报告…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="239"/>
        <source>%1 could not be processed.</source>
        <translation>无法处理 %1。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/exports.py" line="78"/>
        <source>The CSV file could not be written.</source>
        <translation>无法写入 CSV 文件。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/exports.py" line="172"/>
        <source>The PDF report could not be written.</source>
        <translation>无法写入 PDF 报告。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/main_window.py" line="165"/>
        <source>Review list</source>
        <translation>阅片列表</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/exports.py" line="67"/>
        <source>Exporting the biomarkers...</source>
        <translation>正在导出生物标志物…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="242"/>
        <source>&amp;Artery/vein view</source>
        <translation>动静脉视图(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="242"/>
        <source>Show the pane with arteries in red and veins in blue (A)</source>
        <translation>显示以红色标示动脉、蓝色标示静脉的窗格 (A)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="244"/>
        <source>Show &amp;measured vessels</source>
        <translation>显示已测量血管(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/actions.py" line="244"/>
        <source>Draw the vessel segments CRAE and CRVE were measured on, with their widths (M)</source>
        <translation>绘制用于计算 CRAE 和 CRVE 的血管段及其宽度 (M)</translation>
    </message>
</context>
<context>
    <name>OverlayControls</name>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="144"/>
        <source>off</source>
        <translation>关</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="148"/>
        <source>Back to the model&apos;s default threshold (%1)</source>
        <translation>恢复模型默认阈值（%1）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="153"/>
        <source>Vessel overlay colour</source>
        <translation>血管叠加颜色</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="159"/>
        <source>Vessel overlay</source>
        <translation>血管叠加</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="160"/>
        <source>Threshold</source>
        <translation>阈值</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="161"/>
        <source>Probability above which a pixel counts as vessel. Redraws instantly; the network is not run again.</source>
        <translation>概率高于此值的像素计为血管。立即重绘，无需重新运行网络。</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="163"/>
        <source>Edges</source>
        <translation>边缘</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="164"/>
        <source>Strength of the vessel boundary line drawn over the overlay (0 = off)</source>
        <translation>叠加上血管边界线的强度（0 = 关闭）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="166"/>
        <source>Opacity</source>
        <translation>不透明度</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="167"/>
        <source>Opacity of the vessel colour over the image</source>
        <translation>血管颜色覆盖在图像上的不透明度</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="168"/>
        <source>Colour</source>
        <translation>颜色</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="169"/>
        <source>Choose...</source>
        <translation>选择…</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="170"/>
        <source>Colour of the vessel overlay</source>
        <translation>血管叠加的颜色</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="171"/>
        <source>Dense CRF refinement (slower)</source>
        <translation>密集 CRF 优化（较慢）</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/panels.py" line="172"/>
        <source>Refine the vessel map with a fully connected CRF; runs the model again</source>
        <translation>用全连接 CRF 优化血管图；将重新运行模型</translation>
    </message>
</context>
<context>
    <name>ReportOptionsDialog</name>
    <message>
        <location filename="../../fundus_app/gui/dialogs.py" line="82"/>
        <source>PDF report</source>
        <translation>PDF 报告</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/dialogs.py" line="89"/>
        <source>Anonymise: leave out patient name and ID</source>
        <translation>匿名化：不包含患者姓名和 ID</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/dialogs.py" line="96"/>
        <source>Clinic</source>
        <translation>机构名称</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/dialogs.py" line="97"/>
        <source>Report language</source>
        <translation>报告语言</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/dialogs.py" line="85"/>
        <source>Name on the first line, then the address (optional; shown in the report header)</source>
        <translation>第一行填写机构名称，其后为地址（可选；显示在报告页眉中）</translation>
    </message>
</context>
<context>
    <name>ReviewList</name>
    <message>
        <location filename="../../fundus_app/gui/review_list.py" line="47"/>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/review_list.py" line="48"/>
        <source>processing</source>
        <translation>处理中</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/review_list.py" line="49"/>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/review_list.py" line="50"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/review_list.py" line="51"/>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/review_list.py" line="139"/>
        <source>Done %1 · failed %2 · waiting %3</source>
        <translation>完成 %1 · 失败 %2 · 等待 %3</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/review_list.py" line="144"/>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/review_list.py" line="145"/>
        <source>Remove all images from the list and stop processing them</source>
        <translation>从列表中移除所有图像并停止处理</translation>
    </message>
    <message>
        <location filename="../../fundus_app/gui/review_list.py" line="146"/>
        <source>Drop files or folders here; select an image to review it</source>
        <translation>将文件或文件夹拖放到此处；选择图像即可阅片</translation>
    </message>
</context>
</TS>
